// One contract suite for the e-document blob store and mailbox, run on SQLite and on PostgreSQL.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { BLOB_CHUNK_BYTES, type EdocStores } from '../../../src/flows/edoc/stores/edoc-store';
import { openEdocStores } from '../../../src/flows/edoc/stores/open-edoc-stores';
import { DATABASE_URL, uniqueName } from '../../support/env';

const kinds: [string, () => Promise<{ stores: EdocStores; cleanup: () => Promise<void> }>][] = [
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-edoc-store-'));
      const stores = await openEdocStores({ databaseUrl: null, dataDir: dir });
      return { stores, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
  ['postgres', async () => ({ stores: await openEdocStores({ databaseUrl: DATABASE_URL, dataDir: '.' }), cleanup: async () => undefined })],
];

describe.each(kinds)('edoc stores on %s', (_kind, open) => {
  let stores: EdocStores;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ stores, cleanup } = await open()));
  afterAll(async () => {
    await stores.close();
    await cleanup();
  });

  test('a blob made of views is stored once, read back whole and streamed chunk by chunk', async () => {
    const documentId = `${uniqueName('000.00.00.H10')},2025/03/14,1/UBND-VP`;
    const big = randomBytes(BLOB_CHUNK_BYTES * 2 + 1234);
    const chunks = [big.subarray(0, 10), Buffer.from('<TraceHeader/>'), big.subarray(10)];
    const expected = createHash('sha256').update(Buffer.concat(chunks)).digest('hex');
    const ref = await stores.blobs.put(documentId, chunks);
    expect(ref).toEqual({ documentId, sha256: expected, bytes: big.length + 14 });
    expect(await stores.blobs.put(documentId, chunks)).toEqual(ref);
    expect(await stores.blobs.has(ref)).toBe(true);
    const whole = await stores.blobs.read(ref);
    expect(whole && createHash('sha256').update(whole).digest('hex')).toBe(expected);
    const hash = createHash('sha256');
    let largest = 0;
    for await (const chunk of stores.blobs.stream(ref)) {
      hash.update(chunk as Buffer);
      largest = Math.max(largest, (chunk as Buffer).length);
    }
    expect(hash.digest('hex')).toBe(expected);
    expect(largest).toBeLessThanOrEqual(BLOB_CHUNK_BYTES);
    expect(await stores.blobs.read({ ...ref, sha256: '0'.repeat(64) })).toBeNull();
  });

  test('mailbox entries are filed once, listed per organ and carry the reported status', async () => {
    const organ = uniqueName('org').slice(0, 40);
    const other = uniqueName('org').slice(0, 40);
    const blob = await stores.blobs.put('DOC-1', [Buffer.from('<edXML/>')]);
    const base = { organId: organ, documentId: 'DOC-1', fromOrgan: '000.00.00.H10', blob, businessDocType: 0, statusCode: null };
    const first = uniqueName('e1');
    expect(await stores.mailbox.put({ ...base, entryId: first, kind: 'edoc', receivedAt: '2025-03-14T01:00:00.000Z' })).toBe(true);
    expect(await stores.mailbox.put({ ...base, entryId: first, kind: 'edoc', receivedAt: '2025-03-14T01:00:00.000Z' })).toBe(false);
    const status = uniqueName('e2');
    await stores.mailbox.put({ ...base, entryId: status, kind: 'status', businessDocType: null, statusCode: '01', receivedAt: '2025-03-14T02:00:00.000Z' });
    await stores.mailbox.put({ ...base, organId: other, entryId: uniqueName('e3'), kind: 'edoc', receivedAt: '2025-03-14T03:00:00.000Z' });

    expect((await stores.mailbox.list([organ], {})).map((e) => e.entryId)).toEqual([first, status]);
    expect((await stores.mailbox.list([organ], { kind: 'status' })).map((e) => e.statusCode)).toEqual(['01']);
    expect(await stores.mailbox.list([organ, other], { since: '2025-03-14T02:30:00.000Z' })).toHaveLength(1);
    expect(await stores.mailbox.list([], {})).toEqual([]);

    await stores.mailbox.setReportedStatus(first, '03');
    expect(await stores.mailbox.get(first)).toMatchObject({ entryId: first, kind: 'edoc', reportedStatus: '03', blob, businessDocType: 0 });
    expect(await stores.mailbox.get('nope')).toBeNull();
  });
});

afterAll(async () => {
  // Keep the shared database small: drop what these tests stored under their unique names.
  const pool = new Pool({ connectionString: DATABASE_URL });
  await pool.query("DELETE FROM bus_edoc_mailbox WHERE organ_id LIKE 'org-%'").catch(() => undefined);
  await pool.end();
});
