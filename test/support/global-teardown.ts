// Jest global teardown: drops the run's own PostgreSQL database (run-database.ts).
import { dropRunDatabase } from './run-database';

export default dropRunDatabase;
