// The audit store contract on both backends: SQLite and the real PostgreSQL.
import { postgresHarness, sqliteHarness } from '../../../testkit/audit-harness';
import { auditStoreContract } from '../../../testkit/contracts/audit-store-contract';

auditStoreContract('sqlite', sqliteHarness);
auditStoreContract('postgres', postgresHarness);
