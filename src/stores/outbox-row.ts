// The audit outbox's SQL, shared by both stores, and its row ↔ entry mapping.
import type { OutboxEntry, OutboxOwner } from './stores';

export interface OutboxRow {
  id: string;
  owner_host: string;
  owner_pid: number | string;
  owner_token: string;
  kept_at: string;
  position: number | string;
  event: string;
}

export function outboxOwnerFromRow(row: Pick<OutboxRow, 'owner_host' | 'owner_pid' | 'owner_token'>): OutboxOwner {
  return { host: row.owner_host, pid: Number(row.owner_pid), token: row.owner_token };
}

export function outboxEntryFromRow(row: OutboxRow): OutboxEntry {
  return {
    id: row.id,
    owner: outboxOwnerFromRow(row),
    keptAt: row.kept_at,
    position: Number(row.position),
    event: row.event,
  };
}

/** Statements over a table `audit_outbox` (PostgreSQL: `bus_audit_outbox`); `ph(i)` writes placeholder i. */
export function outboxSql(ph: (i: number) => string, table = 'audit_outbox') {
  const owner = (i: number) => `owner_host = ${ph(i)} AND owner_pid = ${ph(i + 1)} AND owner_token = ${ph(i + 2)}`;
  return {
    insert: `INSERT INTO ${table} (id, owner_host, owner_pid, owner_token, kept_at, position, event) VALUES (${[1, 2, 3, 4, 5, 6, 7].map(ph).join(', ')}) ON CONFLICT (id) DO NOTHING`,
    remove: `DELETE FROM ${table} WHERE id = ${ph(1)}`,
    owners: `SELECT DISTINCT owner_host, owner_pid, owner_token FROM ${table}`,
    takeOver: `UPDATE ${table} SET owner_host = ${ph(1)}, owner_pid = ${ph(2)}, owner_token = ${ph(3)} WHERE ${owner(4)}`,
    ofOwner: `SELECT * FROM ${table} WHERE ${owner(1)} ORDER BY kept_at, position`,
  };
}
