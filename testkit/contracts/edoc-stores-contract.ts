// The e-document stores contract: the blob store, the mailbox, the recipient ledger, the register of sent packages and
// the register of documents fetched from the axis give the same answers on every backend; each backend runs it by one
// call naming how to open it.
import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { BLOB_CHUNK_BYTES, type BlobRef, type EdocStores } from '../../src/flows/edoc/stores/edoc-store';
import { uniqueName } from '../env';

/**
 * A destination that takes each write a turn later, as a socket under load does, and keeps a copy of the bytes (a
 * writer may use its buffer again once called back).
 */
class SlowSink extends Writable {
  readonly received: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.received.push(Buffer.from(chunk));
    setImmediate(done);
  }
}

export interface EdocStoresUnderTest {
  open(): Promise<EdocStores>;
  /** Runs SQL on the store's database behind its back (table names without the PostgreSQL `bus_` prefix). */
  sql(statement: string): Promise<void>;
  /** Loses part of a stored blob's bytes behind the store's back (a chunk row, or the end of its file). */
  damage(ref: BlobRef): Promise<void>;
  cleanup(): Promise<void>;
}

/** Declares the edoc stores contract's tests for one backend; `make` prepares a fresh database for the whole suite. */
export function edocStoresContract(name: string, make: () => Promise<EdocStoresUnderTest>): void {
  describe(`edoc stores on ${name}`, () => {
    let kind: EdocStoresUnderTest;
    let stores: EdocStores;
    beforeAll(async () => {
      kind = await make();
      stores = await kind.open();
    });
    afterAll(async () => {
      await stores.close();
      await kind.cleanup();
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

    test('a blob is copied whole to a slow destination, which is ended; a second copy at the same time gets the same bytes', async () => {
      const documentId = `${uniqueName('000.00.00.H10')},2025/03/14,3/UBND-VP`;
      const bytes = randomBytes(BLOB_CHUNK_BYTES * 3 + 77);
      const ref = await stores.blobs.put(documentId, [bytes]);
      const [first, second] = [new SlowSink(), new SlowSink()];
      await Promise.all([stores.blobs.copyTo(ref, first), stores.blobs.copyTo(ref, second)]);
      for (const sink of [first, second]) {
        expect(sink.writableFinished).toBe(true);
        expect(Buffer.concat(sink.received).equals(bytes)).toBe(true);
      }
    });

    test('a blob with part of its bytes gone is not complete: has is false, read is null, the stream fails', async () => {
      const documentId = `${uniqueName('000.00.00.H10')},2025/03/14,2/UBND-VP`;
      const ref = await stores.blobs.put(documentId, [randomBytes(BLOB_CHUNK_BYTES + 10)]);
      expect(await stores.blobs.has(ref)).toBe(true);
      await kind.damage(ref);
      expect(await stores.blobs.has(ref)).toBe(false);
      expect(await stores.blobs.read(ref)).toBeNull();
      await expect((async () => {
        for await (const chunk of stores.blobs.stream(ref)) void chunk;
      })()).rejects.toThrow(/blob chunk missing|blob file incomplete/);
      const sink = new SlowSink();
      await expect(stores.blobs.copyTo(ref, sink)).rejects.toThrow(/blob chunk missing|blob file incomplete/);
      expect(sink.destroyed).toBe(true);
      expect(sink.writableFinished).toBe(false);
      expect(await stores.blobs.has({ ...ref, sha256: '0'.repeat(64) })).toBe(false);
    });

    test('mailbox entries are filed once, listed per organ and carry the reported status', async () => {
      const organ = uniqueName('org').slice(0, 40);
      const other = uniqueName('org').slice(0, 40);
      const blob = await stores.blobs.put('DOC-1', [Buffer.from('<edXML/>')]);
      const base = { organId: organ, documentId: 'DOC-1', fromOrgan: '000.00.00.H10', blob, businessDocType: 0, statusCode: null, signature: null };
      const signature = { policy: 'record', outcome: 'valid', checkedAt: '2025-03-14T01:00:00.000Z', signer: { subject: 'CN=Văn thư', serial: '0a' } };
      const first = uniqueName('e1');
      expect(await stores.mailbox.put({ ...base, entryId: first, kind: 'edoc', receivedAt: '2025-03-14T01:00:00.000Z', signature })).toBe(true);
      expect(await stores.mailbox.put({ ...base, entryId: first, kind: 'edoc', receivedAt: '2025-03-14T01:00:00.000Z' })).toBe(false);
      const status = uniqueName('e2');
      await stores.mailbox.put({ ...base, entryId: status, kind: 'status', businessDocType: null, statusCode: '01', receivedAt: '2025-03-14T02:00:00.000Z' });
      await stores.mailbox.put({ ...base, organId: other, entryId: uniqueName('e3'), kind: 'edoc', receivedAt: '2025-03-14T03:00:00.000Z' });

      expect((await stores.mailbox.list([organ], {})).map((e) => e.entryId)).toEqual([first, status]);
      expect((await stores.mailbox.list([organ], {})).map((e) => e.signature)).toEqual([signature, null]);
      expect((await stores.mailbox.list([organ], { kind: 'status' })).map((e) => e.statusCode)).toEqual(['01']);
      expect(await stores.mailbox.list([organ, other], { since: '2025-03-14T02:30:00.000Z' })).toHaveLength(1);
      expect(await stores.mailbox.list([], {})).toEqual([]);

      await stores.mailbox.setReportedStatus(first, '03');
      expect(await stores.mailbox.get(first)).toMatchObject({ entryId: first, kind: 'edoc', reportedStatus: '03', blob, businessDocType: 0 });
      expect(await stores.mailbox.get('nope')).toBeNull();
    });

    test('the recipient ledger knows who was sent which document by whom, and nothing else', async () => {
      const documentId = `${uniqueName('000.00.01.H10')},2025/03/14,7/UBND-VP`;
      await stores.recipients.record(documentId, 'A', ['B', 'C']);
      await stores.recipients.record(documentId, 'A', ['B']);
      await stores.recipients.record(documentId, 'A', []);
      expect(await stores.recipients.wasSentTo(documentId, 'A', 'B')).toBe(true);
      expect(await stores.recipients.wasSentTo(documentId, 'A', 'C')).toBe(true);
      // Another recipient, the sender itself, the relation reversed, another document: none was sent it.
      expect(await stores.recipients.wasSentTo(documentId, 'A', 'D')).toBe(false);
      expect(await stores.recipients.wasSentTo(documentId, 'A', 'A')).toBe(false);
      expect(await stores.recipients.wasSentTo(documentId, 'B', 'A')).toBe(false);
      expect(await stores.recipients.wasSentTo(`${documentId}-other`, 'A', 'B')).toBe(false);
    });

    test('documents already in mailboxes when the ledger is added count as sent to their recipients; the ledger lasts a restart', async () => {
      const blob = await stores.blobs.put('DOC-OLD', [Buffer.from('<edXML/>')]);
      const base = { documentId: 'DOC-OLD', fromOrgan: 'S', blob, businessDocType: 0, statusCode: null, signature: null, receivedAt: '2025-03-14T01:00:00.000Z' };
      await stores.mailbox.put({ ...base, entryId: uniqueName('old'), organId: 'R', kind: 'edoc' });
      await stores.mailbox.put({ ...base, entryId: uniqueName('old'), organId: 'T', kind: 'status', businessDocType: null, statusCode: '01' });
      await stores.recipients.record('DOC-NEW', 'S', ['R']);
      await stores.close();
      // A database made by a release from before the ledger and before versions were recorded: the mailbox is there,
      // the ledger and the record of the edoc schema's versions are not.
      await kind.sql("DROP TABLE {prefix}edoc_recipients; DELETE FROM schema_migrations WHERE owner = 'edoc'");
      stores = await kind.open();
      expect(await stores.recipients.wasSentTo('DOC-OLD', 'S', 'R')).toBe(true);
      // A status packet in a mailbox is no document sent to that organ.
      expect(await stores.recipients.wasSentTo('DOC-OLD', 'S', 'T')).toBe(false);
      await stores.recipients.record('DOC-NEW', 'S', ['R']);
      await stores.close();
      stores = await kind.open();
      expect(await stores.recipients.wasSentTo('DOC-NEW', 'S', 'R')).toBe(true);
    });

    test('the register of sent packages: of concurrent claims of one slot one wins; claims are settled, released, given up, taken over, and last a restart', async () => {
      const key = { fromOrgan: '000.00.01.H10', documentId: `${uniqueName('000.00.01.H10')},2025/03/14,9/UBND-VP`, slot: 'new' };
      const claimOf = (n: number) => ({ ...key, sha256: 'a'.repeat(64), messageId: `m${n}`, correlationId: `c${n}`, claimedAtMs: 1000 + n });
      const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => stores.sentDocuments.claim(claimOf(n))));
      expect(answers.filter((a) => a === null)).toHaveLength(1);
      const winner = answers.indexOf(null) + 1;
      for (const answer of answers) if (answer) expect(answer).toMatchObject({ messageId: `m${winner}`, state: 'pending', claimedAtMs: 1000 + winner });

      // Only the claim as it was seen is taken over, by one caller.
      expect(await stores.sentDocuments.takeOver(key, `m${winner}`, 1, 5000)).toBe(false);
      const takeOvers = await Promise.all([1, 2].map(() => stores.sentDocuments.takeOver(key, `m${winner}`, 1000 + winner, 5000)));
      expect(takeOvers.sort()).toEqual([false, true]);
      await stores.sentDocuments.giveUp(key, `m${winner}`, 5000);
      expect(await stores.sentDocuments.get(key)).toMatchObject({ state: 'pending', claimedAtMs: 0 });
      await stores.sentDocuments.accepted(key, `m${winner}`, { messageId: `m${winner}`, correlationId: `c${winner}` });
      // An accepted claim is neither released nor taken over.
      await stores.sentDocuments.release(key, `m${winner}`, 0);
      expect(await stores.sentDocuments.takeOver(key, `m${winner}`, 0, 6000)).toBe(false);
      await stores.close();
      stores = await kind.open();
      expect(await stores.sentDocuments.claim(claimOf(9))).toMatchObject({ ...key, messageId: `m${winner}`, correlationId: `c${winner}`, state: 'accepted' });

      // A pending claim released is gone, and the slot can be claimed again.
      const other = { ...key, slot: 'b'.repeat(64) };
      expect(await stores.sentDocuments.claim({ ...claimOf(7), ...other })).toBeNull();
      await stores.sentDocuments.release(other, 'm7', 1007);
      expect(await stores.sentDocuments.get(other)).toBeNull();
      expect(await stores.sentDocuments.claim({ ...claimOf(8), ...other })).toBeNull();
    });

    test('the register of documents fetched from the axis: written again harmlessly, acknowledged stays so, found by document, sender and organ', async () => {
      const axisDocId = uniqueName('axis-doc');
      const documentId = `${uniqueName('000.00.00.G22')},2026/12/04,1/VPCP`;
      const accepted = { axisDocId, organId: '000.00.02.H10', fromOrgan: '000.00.00.G22', documentId, messageId: 'm1', state: 'accepted' as const, code: null };
      expect(await stores.axisInbound.get(axisDocId)).toBeNull();
      await stores.axisInbound.record(accepted);
      await stores.axisInbound.record(accepted);
      expect(await stores.axisInbound.get(axisDocId)).toMatchObject({ ...accepted });
      expect(await stores.axisInbound.find(documentId, '000.00.00.G22', '000.00.02.H10')).toBe(axisDocId);
      expect(await stores.axisInbound.find(documentId, '000.00.00.G22', '000.00.03.H10')).toBeNull();
      await stores.axisInbound.acknowledged(axisDocId);
      await stores.axisInbound.record(accepted);
      expect(await stores.axisInbound.get(axisDocId)).toMatchObject({ state: 'acknowledged', messageId: 'm1' });

      // A refused copy is not one a status can be reported on; it waits to be reported until the axis is told, then
      // stays reported whatever is recorded again.
      const refusedId = uniqueName('axis-doc');
      const refused = { axisDocId: refusedId, organId: '000.00.03.H10', fromOrgan: '000.00.00.G22', documentId, messageId: null, state: 'refused' as const, code: 'EDXML_MALFORMED_XML' };
      await stores.axisInbound.record(refused);
      expect((await stores.axisInbound.unreportedRefusals()).map((r) => r.axisDocId)).toContain(refusedId);
      expect(await stores.axisInbound.find(documentId, '000.00.00.G22', '000.00.03.H10')).toBeNull();
      await stores.axisInbound.acknowledged(refusedId);
      await stores.axisInbound.record(refused);
      expect(await stores.axisInbound.get(refusedId)).toMatchObject({ state: 'refusal-reported', code: 'EDXML_MALFORMED_XML' });
      expect((await stores.axisInbound.unreportedRefusals()).map((r) => r.axisDocId)).not.toContain(refusedId);
      expect(await stores.axisInbound.find(documentId, '000.00.00.G22', '000.00.03.H10')).toBeNull();
    });
  });
}
