// The audit store contract: append, search, tamper detection, export, retention and personal data behave the same on
// every AuditStore backend; each backend runs it by one call naming its harness.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AuditStore } from '../../src/audit/audit-store';
import { BundleSource, buildBundle, writeBundle } from '../../src/audit/bundle';
import { CheckpointSigner } from '../../src/audit/checkpoint-signer';
import { decryptField, DEFAULT_PERSONAL_FIELDS } from '../../src/audit/personal-data';
import { exportAndPrune } from '../../src/audit/retention';
import type { AuditEvent } from '../../src/audit/types';
import { verifyAudit } from '../../src/audit/verifier';
import { newSigner, openWriter, type AuditHarness } from '../audit-harness';

const citizen = { SoDinhDanh: '026092008262', HoVaTen: 'Đào Văn Tài', NgaySinh: '1992-11-22', NgaySinhAmLich: '1992-10-28' };

function event(i: number, extra: Partial<AuditEvent> = {}): AuditEvent {
  return {
    step: 'received',
    outcome: 'ok',
    messageId: `m-${i}`,
    correlationId: 'c-1',
    subject: '000.00.04.H10-261127-0001',
    client: 'motcua-binhphuoc',
    route: 'dossier-sync',
    durationMs: 3,
    requestBytes: 120,
    payload: { MaHoSo: '000.00.04.H10-261127-0001', ChuHoSo: { ...citizen }, i },
    ...extra,
  };
}

/** Declares the audit store contract's tests for one backend; `make` gives a harness for the whole suite (cleaned up after it). */
export function auditStoreContract(name: string, make: () => AuditHarness): void {
  describe(`audit store contract: ${name}`, () => {
    let h: AuditHarness;
    let store: AuditStore;
    const signer = newSigner();
    const keys = [signer.publicKey];
    const verifyChain = (chainId: string) => verifyAudit(store, { publicKeys: keys, chainIds: [chainId] });

    async function writeChain(n: number, extra: (i: number) => Partial<AuditEvent> = () => ({})): Promise<string> {
      const chainId = `chain-${randomUUID()}`;
      const log = await openWriter(await h.openStore(), signer, { chainId });
      await Promise.all(Array.from({ length: n }, (_, i) => log.append(event(i + 1, extra(i + 1)))));
      await log.checkpoint();
      await log.close();
      return chainId;
    }

    beforeAll(async () => {
      h = make();
      store = await h.openStore();
      await store.chainIds(); // creates the tables before raw SQL touches them
    });
    afterAll(async () => {
      await store.close();
      await h.cleanup();
    });

    test('append, search by every filter with paging, timeline', async () => {
      const chainId = `chain-${randomUUID()}`;
      const log = await openWriter(await h.openStore(), signer, { chainId });
      const correlationId = randomUUID();
      const base = { correlationId, subject: `H10-${randomUUID()}`, client: 'motcua', route: 'dossier-sync' };
      const steps: AuditEvent[] = [
        { ...base, messageId: 'a', step: 'received', outcome: 'ok', at: '2026-11-27T01:00:00.000Z' },
        { ...base, messageId: 'a', step: 'validated', outcome: 'ok', at: '2026-11-27T01:00:01.000Z' },
        { ...base, messageId: 'a', step: 'enriched', outcome: 'rejected', errorCode: 'CITIZEN_MISMATCH', at: '2026-11-27T01:00:02.000Z' },
        { ...base, messageId: 'b', step: 'received', outcome: 'ok', client: 'qlvb', at: '2026-11-27T02:00:00.000Z' },
        { ...base, messageId: 'b', step: 'delivered', outcome: 'ok', route: 'edoc', at: '2026-11-27T02:00:05.000Z', responseBytes: 40 },
      ];
      const refs = await Promise.all(steps.map((s) => log.append(s)));
      expect(refs.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(log.health()).toMatchObject({ status: 'up', headSeq: 5, chainId });

      const ids = async (filter: Parameters<typeof log.search>[0]): Promise<string[]> =>
        (await log.search({ ...filter, chainId })).records.map((r) => `${r.messageId}:${r.step}`);
      expect(await ids({ subject: base.subject })).toHaveLength(5);
      expect(await ids({ messageId: 'b' })).toEqual(['b:received', 'b:delivered']);
      expect(await ids({ correlationId })).toHaveLength(5);
      expect(await ids({ client: 'qlvb' })).toEqual(['b:received']);
      expect(await ids({ route: 'edoc' })).toEqual(['b:delivered']);
      expect(await ids({ step: 'received' })).toEqual(['a:received', 'b:received']);
      expect(await ids({ outcome: 'rejected' })).toEqual(['a:enriched']);
      expect(await ids({ since: '2026-11-27T01:00:01.000Z', until: '2026-11-27T02:00:00.000Z' })).toEqual(['a:validated', 'a:enriched']);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await log.search({ chainId }, { limit: 2, cursor });
        seen.push(...page.records.map((r) => `${r.messageId}:${r.step}`));
        cursor = page.next;
      } while (cursor);
      expect(seen).toHaveLength(5);
      expect(new Set(seen).size).toBe(5);

      const timeline = await log.timeline(correlationId);
      expect(timeline.map((r) => r.step)).toEqual(['received', 'validated', 'enriched', 'received', 'delivered']);
      expect((await log.timeline('a')).map((r) => r.step)).toEqual(['received', 'validated', 'enriched']);
      await log.checkpoint();
      const report = await verifyChain(chainId);
      expect(report).toMatchObject({ ok: true, chains: [{ lastSeq: 5, signedThrough: 5 }] });
      await log.close();
    });

    test('a batch of records holding any text is stored as given: quotes, backslashes, braces, commas, the word NULL, empty', async () => {
      const chainId = `chain-${randomUUID()}`;
      const log = await openWriter(await h.openStore(), signer, { chainId });
      const texts = ['"quoted", {braced}', 'back\\slash \\" \\\\', 'NULL', '', 'Nguyễn Thị Hoà, {Phường} "Tân Phú"', "it's ; -- $1 $$"];
      // Appended at once, so they are written in one batch.
      await Promise.all(
        texts.map((text, i) => log.append(event(i + 1, { reason: text, errorCode: text === '' ? undefined : `E${i}`, subject: text, payload: { text, list: [text, null] } }))),
      );
      await log.append(event(texts.length + 1, { reason: undefined, subject: undefined }));
      await log.checkpoint();
      const stored = await store.records(chainId, 0, 100);
      expect(stored.slice(0, texts.length).map((r) => [r.reason, r.subject])).toEqual(texts.map((text) => [text, text]));
      expect(stored[texts.length]).toMatchObject({ reason: null, subject: null, durationMs: 3, requestBytes: 120 });
      // Every stored field is in the record's hash: a byte changed on the way in would fail verification.
      expect(await verifyChain(chainId)).toMatchObject({ ok: true, chains: [{ lastSeq: texts.length + 1 }] });
      await log.close();
    });

    test('text that is not well-formed (a lone surrogate) is stored with U+FFFD in its place, and the chain verifies', async () => {
      const chainId = `chain-${randomUUID()}`;
      const log = await openWriter(await h.openStore(), signer, { chainId });
      // Written as UTF-8 a lone surrogate can only be U+FFFD; the record is kept, not refused.
      await Promise.all([log.append(event(1, { reason: 'lone \ud800 high', subject: 'low \udc00', payload: { text: 'lone \ud800' }, details: { text: '\udc00' } })), log.append(event(2, { reason: 'whole 😀' }))]);
      await log.checkpoint();
      const stored = await store.records(chainId, 0, 100);
      expect(stored.map((r) => [r.reason, r.subject])).toEqual([['lone \ufffd high', 'low \ufffd'], ['whole 😀', event(2).subject]]);
      expect(await verifyChain(chainId)).toMatchObject({ ok: true, chains: [{ lastSeq: 2 }] });
      await log.close();
    });

    test('one changed byte in one stored record is named', async () => {
      const chainId = await writeChain(6);
      expect((await verifyChain(chainId)).ok).toBe(true);
      const [row] = await h.rows(`SELECT payload FROM ${h.prefix}records WHERE chain_id = '${chainId}' AND seq = 4`);
      const payload = String(row?.payload);
      const changed = payload.replace('"i":4', '"i":5');
      expect(changed).not.toBe(payload);
      await h.exec(`UPDATE ${h.prefix}records SET payload = '${changed.replace(/'/g, "''")}' WHERE chain_id = '${chainId}' AND seq = 4`);
      const report = await verifyChain(chainId);
      expect(report.ok).toBe(false);
      expect(report.failure).toMatchObject({ chainId, seq: 4 });
      expect(report.failure?.reason).toMatch(/altered/);
    });

    test('a changed search column (not only the body) is detected', async () => {
      const chainId = await writeChain(3);
      await h.exec(`UPDATE ${h.prefix}records SET outcome = 'error' WHERE chain_id = '${chainId}' AND seq = 2`);
      expect((await verifyChain(chainId)).failure).toMatchObject({ seq: 2 });
    });

    test('a deleted record is detected', async () => {
      const chainId = await writeChain(6);
      await h.exec(`DELETE FROM ${h.prefix}records WHERE chain_id = '${chainId}' AND seq = 3`);
      const report = await verifyChain(chainId);
      expect(report.failure).toMatchObject({ seq: 3 });
      expect(report.failure?.reason).toMatch(/missing/);
    });

    test('a deleted record at the tail (behind a checkpoint) is detected', async () => {
      const chainId = await writeChain(5);
      await h.exec(`DELETE FROM ${h.prefix}records WHERE chain_id = '${chainId}' AND seq = 5`);
      expect((await verifyChain(chainId)).failure?.reason).toMatch(/records 5–5 are missing/);
    });

    test('two swapped records are detected', async () => {
      const chainId = await writeChain(6);
      const cols = ['prev_hash', 'hash', 'at', 'step', 'outcome', 'message_id', 'payload', 'payload_digest'];
      const sets = (from: string): string => cols.map((c) => `${c} = (SELECT ${c} FROM ${h.prefix}records WHERE chain_id = '${chainId}' AND seq = ${from})`).join(', ');
      await h.exec(`CREATE TABLE ${h.prefix}swap AS SELECT * FROM ${h.prefix}records WHERE chain_id = '${chainId}' AND seq IN (2, 3)`);
      await h.exec(`UPDATE ${h.prefix}records SET ${sets('3').replace(new RegExp(`${h.prefix}records`, 'g'), `${h.prefix}swap`)} WHERE chain_id = '${chainId}' AND seq = 2`);
      await h.exec(`UPDATE ${h.prefix}records SET ${sets('2').replace(new RegExp(`${h.prefix}records`, 'g'), `${h.prefix}swap`)} WHERE chain_id = '${chainId}' AND seq = 3`);
      await h.exec(`DROP TABLE ${h.prefix}swap`);
      const rows = await h.rows(`SELECT seq, message_id FROM ${h.prefix}records WHERE chain_id = '${chainId}' AND seq IN (2, 3) ORDER BY seq`);
      expect(rows.map((r) => r.message_id)).toEqual(['m-3', 'm-2']);
      expect((await verifyChain(chainId)).failure).toMatchObject({ seq: 2 });
    });

    test('a forged checkpoint signature, or one by an unknown key, is detected', async () => {
      const chainId = await writeChain(4);
      const [cp] = await h.rows(`SELECT signature FROM ${h.prefix}checkpoints WHERE chain_id = '${chainId}'`);
      const sig = Buffer.from(String(cp?.signature), 'base64');
      sig[0] = (sig[0] ?? 0) ^ 1;
      await h.exec(`UPDATE ${h.prefix}checkpoints SET signature = '${sig.toString('base64')}' WHERE chain_id = '${chainId}'`);
      expect((await verifyChain(chainId)).failure?.reason).toMatch(/checkpoint at seq 4: signature invalid/);

      const intruder = new CheckpointSigner(generateKeyPairSync('ed25519').privateKey);
      const [rec] = await h.rows(`SELECT hash FROM ${h.prefix}records WHERE chain_id = '${chainId}' AND seq = 4`);
      const forged = intruder.sign({ chainId, seq: 4, headHash: String(rec?.hash), at: new Date().toISOString() });
      await h.exec(`UPDATE ${h.prefix}checkpoints SET key_id = '${forged.keyId}', signature = '${forged.signature}' WHERE chain_id = '${chainId}'`);
      expect((await verifyChain(chainId)).failure?.reason).toMatch(/unknown key/);
    });

    test('a rewritten chain (every hash recomputed) fails against the signed checkpoint', async () => {
      const chainId = await writeChain(3);
      // Rewriting record 2 and re-hashing from there on cannot produce the signed head hash of seq 3.
      const records = await store.records(chainId, 0, 10);
      const { hashRecord } = await import('../../src/audit/chain');
      let prev = records[0]!.hash;
      for (const r of records.slice(1)) {
        const rewritten = { ...r, prevHash: prev, outcome: r.seq === 2 ? 'error' : r.outcome };
        const hash = hashRecord(rewritten);
        await h.exec(`UPDATE ${h.prefix}records SET prev_hash = '${prev}', outcome = '${rewritten.outcome}', hash = '${hash}' WHERE chain_id = '${chainId}' AND seq = ${r.seq}`);
        prev = hash;
      }
      expect((await verifyChain(chainId)).failure?.reason).toMatch(/checkpoint at seq 3: signed head hash differs/);
    });

    test('two writers at once keep their own chains and each verifies', async () => {
      const [a, b] = await Promise.all([openWriter(await h.openStore(), signer, { chainId: `w1-${randomUUID()}` }), openWriter(await h.openStore(), signer, { chainId: `w2-${randomUUID()}` })]);
      const burst = (log: typeof a, tag: string): Promise<unknown[]> =>
        Promise.all(Array.from({ length: 300 }, (_, i) => (i % 50 === 0 ? new Promise((r) => setTimeout(r, 1)) : Promise.resolve()).then(() => log.append(event(i, { messageId: `${tag}-${i}` })))));
      await Promise.all([burst(a, 'a'), burst(b, 'b'), burst(a, 'a2'), burst(b, 'b2')]);
      await Promise.all([a.checkpoint(), b.checkpoint()]);
      const report = await verifyAudit(store, { publicKeys: keys, chainIds: [a.chainId, b.chainId] });
      expect(report.ok).toBe(true);
      expect(report.chains.map((c) => [c.records, c.signedThrough])).toEqual([
        [600, 600],
        [600, 600],
      ]);
      await Promise.all([a.close(), b.close()]);
    });

    test('a writer restarted with the same chain id continues the chain', async () => {
      const chainId = await writeChain(3);
      const log = await openWriter(await h.openStore(), signer, { chainId });
      expect((await log.append(event(9))).seq).toBe(4);
      await log.close();
      expect(await verifyChain(chainId)).toMatchObject({ ok: true, chains: [{ lastSeq: 4, signedThrough: 4 }] });
    });

    test('an exported bundle verifies offline; a changed bundle does not', async () => {
      const chainId = await writeChain(10);
      const file = path.join(h.dir, `bundle-${chainId}.json`);
      writeBundle(file, await buildBundle(store, keys, { chainIds: [chainId] }));
      const bundle = BundleSource.read(file);
      expect(await verifyAudit(bundle, { publicKeys: bundle.publicKeys })).toMatchObject({ ok: true, chains: [{ records: 10, lastSeq: 10 }] });
      writeFileSync(file, readFileSync(file, 'utf8').replace('"m-7"', '"m-8"'));
      expect((await verifyAudit(BundleSource.read(file), { publicKeys: keys })).failure).toMatchObject({ seq: 7 });
    });

    test('retention exports old records to a verifiable bundle, prunes them, and what remains (and what follows) still verifies', async () => {
      const chainId = `chain-${randomUUID()}`;
      const log = await openWriter(await h.openStore(), signer, { chainId });
      const old = Date.now() - 40 * 86_400_000;
      for (let i = 1; i <= 8; i++) await log.append(event(i, { at: new Date(old + i * 1000).toISOString() }));
      for (let i = 9; i <= 12; i++) await log.append(event(i));
      await log.checkpoint();
      const cutoff = new Date(Date.now() - 30 * 86_400_000);
      const [result] = await exportAndPrune(store, signer, { before: cutoff, exportDir: h.dir, chainIds: [chainId] });
      expect(result).toMatchObject({ chainId, throughSeq: 8, pruned: 8 });
      expect((await store.records(chainId, 0, 100)).map((r) => r.seq)).toEqual([9, 10, 11, 12]);
      expect(await verifyChain(chainId)).toMatchObject({ ok: true, chains: [{ firstSeq: 9, lastSeq: 12 }] });
      const bundle = BundleSource.read(result!.bundleFile);
      expect(await verifyAudit(bundle, { publicKeys: keys })).toMatchObject({ ok: true, chains: [{ firstSeq: 1, lastSeq: 8 }] });
      expect((await store.anchors(chainId))[0]).toMatchObject({ throughSeq: 8, bundleDigest: bundle.digest });

      // The writer goes on; a second retention run exports 9–14 anchored on the kept checkpoint at 8.
      for (let i = 13; i <= 14; i++) await log.append(event(i));
      await log.checkpoint();
      const [second] = await exportAndPrune(store, signer, { before: new Date(Date.now() + 1000), exportDir: h.dir, chainIds: [chainId] });
      expect(second).toMatchObject({ throughSeq: 14, pruned: 6 });
      expect(await verifyAudit(BundleSource.read(second!.bundleFile), { publicKeys: keys })).toMatchObject({ ok: true, chains: [{ firstSeq: 9, lastSeq: 14 }] });
      expect(await verifyChain(chainId)).toMatchObject({ ok: true, chains: [{ records: 0, lastSeq: 14 }] });
      expect((await log.append(event(15))).seq).toBe(15);
      await log.close();
      expect(await verifyChain(chainId)).toMatchObject({ ok: true, chains: [{ firstSeq: 15, lastSeq: 15, signedThrough: 15 }] });

      // Removing the anchoring checkpoint makes the remainder unverifiable, and says so.
      await h.exec(`DELETE FROM ${h.prefix}checkpoints WHERE chain_id = '${chainId}' AND seq = 14`);
      expect((await verifyChain(chainId)).failure?.reason).toMatch(/no signed checkpoint at seq 14/);
    });

    test('personal data is never stored in clear: encrypted (and decryptable with the key) or masked', async () => {
      const key = Buffer.alloc(32, 7);
      const chainId = `pii-${randomUUID()}`;
      const log = await openWriter(await h.openStore(), signer, { chainId }, { mode: 'encrypt', fields: DEFAULT_PERSONAL_FIELDS, encryptionKey: key });
      await log.append(event(1, { details: { soDinhDanh: citizen.SoDinhDanh, attempt: 2 } }));
      const masked = await openWriter(await h.openStore(), signer, { chainId: `${chainId}-m` });
      await masked.append(event(2, { payload: { MaHoSo: 'X', NguoiNop: { ...citizen }, ThanhPhan: [{ HoVaTen: citizen.HoVaTen, NgaySinhAmLich: citizen.NgaySinhAmLich }] } }));
      await Promise.all([log.close(), masked.close()]);
      const rows = await h.rows(`SELECT * FROM ${h.prefix}records WHERE chain_id IN ('${chainId}', '${chainId}-m')`);
      const dump = JSON.stringify(rows);
      for (const clear of [citizen.SoDinhDanh, citizen.HoVaTen, citizen.NgaySinh, citizen.NgaySinhAmLich, 'Tài']) expect(dump).not.toContain(clear);
      const [encrypted] = await store.records(chainId, 0, 1);
      const payload = JSON.parse(encrypted!.payload!) as { ChuHoSo: string; MaHoSo: string };
      expect(payload.MaHoSo).toBe('000.00.04.H10-261127-0001');
      // ChuHoSo is itself a personal field: the whole applicant object is one ciphertext.
      expect(decryptField('ChuHoSo', payload.ChuHoSo, key)).toEqual(citizen);
      const details = JSON.parse(encrypted!.details!) as { soDinhDanh: string; attempt: number };
      expect(details.attempt).toBe(2);
      expect(decryptField('soDinhDanh', details.soDinhDanh, key)).toBe(citizen.SoDinhDanh);
      expect(() => decryptField('soDinhDanh', details.soDinhDanh, Buffer.alloc(32, 8))).toThrow();
      const [maskedRecord] = await store.records(`${chainId}-m`, 0, 1);
      expect(JSON.parse(maskedRecord!.payload!)).toEqual({ MaHoSo: 'X', NguoiNop: '***', ThanhPhan: [{ HoVaTen: '***', NgaySinhAmLich: '***' }] });
      // Verification needs no decryption key.
      expect((await verifyAudit(store, { publicKeys: keys, chainIds: [chainId, `${chainId}-m`] })).ok).toBe(true);
    });

    test('metadata-only mode keeps the digest, not the body', async () => {
      const chainId = `meta-${randomUUID()}`;
      const log = await openWriter(await h.openStore(), signer, { chainId, payloadMode: 'metadata' });
      await log.append(event(1));
      await log.close();
      const [record] = await store.records(chainId, 0, 1);
      expect(record).toMatchObject({ payload: null, requestBytes: 120 });
      expect(record!.payloadDigest).toMatch(/^[0-9a-f]{64}$/);
    });

    test('invalid events are refused with a code, and do not take a seq', async () => {
      const log = await openWriter(await h.openStore(), signer, { chainId: `bad-${randomUUID()}` });
      await expect(log.append({ step: 'received', outcome: 'maybe' as 'ok' })).rejects.toMatchObject({ code: 'AUDIT_INVALID_EVENT' });
      await expect(log.append({ step: 'received', outcome: 'ok', durationMs: -1 })).rejects.toMatchObject({ code: 'AUDIT_INVALID_EVENT' });
      expect((await log.append({ step: 'admin.replay', outcome: 'ok', actor: 'admin-1' })).seq).toBe(1);
      await log.close();
      await expect(log.append(event(1))).rejects.toMatchObject({ code: 'AUDIT_CLOSED' });
    });
  });
}
