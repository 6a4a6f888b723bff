// Jest global setup: the run's own PostgreSQL database (run-database.ts).
import { createRunDatabase } from './run-database';

export default createRunDatabase;
