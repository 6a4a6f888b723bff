// Checkpoints by count, chain leases and seals on both stores: an orphaned chain's tail is sealed, a chain whose owner renews is never, and nothing follows a seal.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { AuditStore } from '../../../src/audit/audit-store';
import { linkRecords } from '../../../src/audit/chain';
import { thisProcess } from '../../../src/audit/chain-owner';
import type { ChainOwner } from '../../../src/audit/types';
import { verifyAudit } from '../../../src/audit/verifier';
import { waitFor } from '../../../testkit/env';
import { newSigner, openWriter, postgresHarness, recordContent, sqliteHarness, writeOrphan, type AuditHarness } from '../../../testkit/audit-harness';

/** A process on another host: only its lease running out can tell it is gone. */
const elsewhere = (): ChainOwner => ({ host: `other-${randomUUID()}`, pid: 4242, token: 'feed' });

/** The pid of a process that has ended: a bus killed on this host. */
function endedPid(): number {
  return Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString());
}

describe.each([
  ['sqlite', sqliteHarness],
  ['postgres', postgresHarness],
])('audit seals: %s', (kind, makeHarness) => {
  let h: AuditHarness;
  let store: AuditStore;
  const signer = newSigner();
  const keys = [signer.publicKey];
  const verifyChain = (chainId: string) => verifyAudit(store, { publicKeys: keys, chainIds: [chainId] });

  async function orphan(n: number, signedAt: number, owner: ChainOwner, leaseMs: number): Promise<string> {
    const chainId = `orphan-${randomUUID()}`;
    await writeOrphan(store, signer, chainId, { n, signedAt, owner, leaseMs });
    return chainId;
  }

  beforeAll(async () => {
    h = makeHarness();
    store = await h.openStore();
    await store.chainIds();
  });
  afterAll(async () => {
    await store.close();
    await h.cleanup();
  });

  test('a checkpoint follows every N records without a timer or a call', async () => {
    const log = await openWriter(await h.openStore(), signer, { chainId: `count-${randomUUID()}`, checkpointEveryRecords: 100 });
    for (let i = 1; i <= 250; i++) await log.append({ step: 'received', outcome: 'ok', messageId: `m-${i}` });
    expect((await store.checkpoints(log.chainId)).map((c) => c.seq)).toEqual([100, 200]);
    expect(await verifyChain(log.chainId)).toMatchObject({ ok: true, unsignedTails: 1, chains: [{ lastSeq: 250, signedThrough: 200, unsignedTail: 50, seal: null }] });
    await log.close();
    expect(await verifyChain(log.chainId)).toMatchObject({ ok: true, unsignedTails: 0, chains: [{ signedThrough: 250, unsignedTail: 0 }] });
  });

  test('an orphan whose lease ran out is sealed over its last record; its owner can no longer write to it', async () => {
    const chainId = await orphan(7, 5, elsewhere(), 300);
    expect(await verifyChain(chainId)).toMatchObject({ ok: true, unsignedTails: 1, chains: [{ signedThrough: 5, unsignedTail: 2, seal: null }] });
    const sealer = await openWriter(await h.openStore(), signer, { chainId: `sealer-${randomUUID()}`, sealOrphans: { includeUnleased: false } });
    const seal = await waitFor(async () => (await sealer.sealOrphans()).find((s) => s.chainId === chainId), 10_000, 'orphan sealed');
    expect(seal).toMatchObject({ seq: 7, reason: 'lease-expired', sealedBy: sealer.chainId, ownerLastSeenAt: expect.any(String) });
    const report = await verifyChain(chainId);
    expect(report).toMatchObject({ ok: true, unsignedTails: 0, chains: [{ lastSeq: 7, signedThrough: 5, unsignedTail: 0, seal: { seq: 7, reason: 'lease-expired' } }] });

    // The owner coming back finds its chain ended: no record follows the seal, and the lease cannot be taken again.
    const late = linkRecords({ seq: 7, hash: (await store.head(chainId))!.hash }, chainId, [recordContent(8)]);
    await expect(store.appendBatch(late.records)).rejects.toMatchObject({ code: 'AUDIT_CHAIN_ENDED' });
    expect(await store.claimChain(chainId, elsewhere(), 300)).toBe('sealed');
    expect(await sealer.sealOrphans()).toEqual([]);
    await sealer.close();
  });

  test('a chain whose owner still renews is never sealed; closed by its owner, it is not sealed either', async () => {
    const owner = await openWriter(await h.openStore(), signer, { chainId: `alive-${randomUUID()}`, owner: elsewhere(), leaseMs: 1500 });
    const sealer = await openWriter(await h.openStore(), signer, { chainId: `sealer-${randomUUID()}`, sealOrphans: { includeUnleased: false } });
    // Two lease times, the owner appending now and then and otherwise renewing on its timer.
    const until = Date.now() + 3000;
    for (let i = 0; Date.now() < until; i++) {
      if (i % 3 === 0) await owner.append({ step: 'received', outcome: 'ok', messageId: `a-${i}` });
      expect((await sealer.sealOrphans()).map((s) => s.chainId)).not.toContain(owner.chainId);
      await new Promise((r) => setImmediate(r));
    }
    const chainId = owner.chainId;
    const storeNow = async () => (await store.openLeases()).find((l) => l.chainId === sealer.chainId)!.nowMs;
    const closedAt = await storeNow();
    await owner.close();
    // Past the lease time it would have had, by the store's clock.
    await waitFor(async () => (await storeNow()) > closedAt + 1500, 10_000, 'lease time passed');
    expect((await sealer.sealOrphans()).map((s) => s.chainId)).not.toContain(chainId);
    expect(await store.seal(chainId)).toBeNull();
    expect(await verifyChain(chainId)).toMatchObject({ ok: true, unsignedTails: 0 });
    await sealer.close();
  });

  test('a chain whose process ended on this host is sealed at once, long before its lease would run out', async () => {
    const chainId = await orphan(4, 4, { host: hostname(), pid: endedPid(), token: 'dead' }, 3_600_000);
    const sealer = await openWriter(await h.openStore(), signer, { chainId: `sealer-${randomUUID()}`, sealOrphans: { includeUnleased: false } });
    expect((await store.seal(chainId))?.reason).toBe('owner-process-ended');
    expect(await verifyChain(chainId)).toMatchObject({ ok: true, chains: [{ signedThrough: 4, unsignedTail: 0, seal: { seq: 4 } }] });
    // This process's own leases (same pid and token) are alive, whatever their lease time.
    const mine = await orphan(2, 1, thisProcess(), 3_600_000);
    expect((await sealer.sealOrphans()).map((s) => s.chainId)).not.toContain(mine);
    await sealer.close();
  });

  test('a writer whose chain was sealed while it lived goes on in a fresh chain: nothing follows the seal, nothing is lost', async () => {
    const replaced: string[] = [];
    const owner = elsewhere();
    const log = await openWriter(await h.openStore(), signer, { chainId: `stalled-${randomUUID()}`, owner, onChainReplaced: (previous, next) => replaced.push(previous, next) });
    await log.append({ step: 'received', outcome: 'ok', messageId: 'before' });
    const first = log.chainId;
    // Another bus judged it gone (its lease ran out during a stall): the seal is taken under the chain's lock.
    const seal = await store.sealChain(first, { kind: 'owner-gone', owner }, (head, renewedAtMs) =>
      signer.signSeal({ chainId: first, seq: head.seq, headHash: head.hash, at: new Date().toISOString(), sealedBy: 'other', reason: 'lease-expired', ownerLastSeenAt: new Date(renewedAtMs ?? 0).toISOString() }),
    );
    expect(seal).toMatchObject({ seq: 1 });
    const refs = await Promise.all([1, 2, 3].map((i) => log.append({ step: 'received', outcome: 'ok', messageId: `after-${i}` })));
    expect(refs.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(new Set(refs.map((r) => r.chainId))).toEqual(new Set([log.chainId]));
    expect(log.chainId).not.toBe(first);
    expect(replaced).toEqual([first, log.chainId]);
    await log.close();
    const report = await verifyAudit(store, { publicKeys: keys, chainIds: [first, log.chainId] });
    expect(report).toMatchObject({ ok: true, unsignedTails: 0, chains: [{ lastSeq: 1, seal: { seq: 1 } }, { lastSeq: 3, signedThrough: 3 }] });
  });

  test('a record deleted after the seal, a record added after it, and a forged seal are each named', async () => {
    const chainId = await orphan(5, 3, { host: hostname(), pid: endedPid(), token: 'dead' }, 3_600_000);
    const sealer = await openWriter(await h.openStore(), signer, { chainId: `sealer-${randomUUID()}`, sealOrphans: { includeUnleased: false } });
    expect((await verifyChain(chainId)).chains[0]?.seal).toMatchObject({ seq: 5 });
    await sealer.close();
    await h.exec(`DELETE FROM ${h.prefix}records WHERE chain_id = '${chainId}' AND seq = 5`);
    expect((await verifyChain(chainId)).failure?.reason).toMatch(/sealed at seq 5 but the chain ends at seq 4: records 5–5 are missing/);
    const [row] = await h.rows(`SELECT seq, hash FROM ${h.prefix}records WHERE chain_id = '${chainId}' AND seq = 4`);
    const extra = linkRecords({ seq: 4, hash: String(row?.hash) }, chainId, [recordContent(5), recordContent(6)]);
    for (const r of extra.records) {
      const v = [r.chainId, r.seq, r.prevHash, r.hash, r.at, r.step, r.outcome, r.messageId, r.route].map((x) => (typeof x === 'number' ? x : `'${x}'`));
      await h.exec(`INSERT INTO ${h.prefix}records (chain_id, seq, prev_hash, hash, at, step, outcome, message_id, route) VALUES (${v.join(', ')})`);
    }
    const after = await verifyChain(chainId);
    expect(after.failure?.reason).toMatch(/seal at seq 5: signed head hash differs|record 6 was written after the chain was sealed at seq 5/);
    await h.exec(`UPDATE ${h.prefix}seals SET reason = 'no-lease' WHERE chain_id = '${chainId}'`);
    expect((await verifyChain(chainId)).failure?.reason).toMatch(/seal at seq 5: signature invalid/);
  });

  test(`chains written before leases existed are sealed ${kind === 'sqlite' ? 'when the one process of the store restarts' : 'never: a bus of an older version may still own them'}`, async () => {
    const chainId = await orphan(3, 1, thisProcess(), 3_600_000);
    await h.exec(`DELETE FROM ${h.prefix}chains WHERE chain_id = '${chainId}'`);
    const sealer = await openWriter(await h.openStore(), signer, { chainId: `sealer-${randomUUID()}`, sealOrphans: { includeUnleased: kind === 'sqlite' } });
    const seal = await store.seal(chainId);
    if (kind === 'sqlite') expect(seal).toMatchObject({ seq: 3, reason: 'no-lease', ownerLastSeenAt: null });
    else expect(seal).toBeNull();
    await sealer.close();
  });
});
