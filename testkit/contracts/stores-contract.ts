// The stores contract: effect log, message status (and a fanned-out message settled from its parts), waiting messages, subject sequences, idempotency keys,
// revoked sessions and the procedure catalogue give the same answers on every Stores backend; each backend runs it by one call.
import { randomUUID } from 'node:crypto';
import type { Stores } from '../../src/stores/stores';

/** Declares the stores contract's tests for one backend; `open` opens the stores once for the suite (closed after it). */
export function storesContract(name: string, open: () => Promise<Stores>): void {
  describe(`stores contract: ${name}`, () => {
    let stores: Stores;
    beforeAll(async () => {
      stores = await open();
    });
    afterAll(async () => stores.close());

    test('effect log: recorded once, found again', async () => {
      const key = `deliver:test:${randomUUID()}`;
      expect(await stores.effects.isDone(key)).toBe(false);
      await stores.effects.markDone(key, 'm1');
      await stores.effects.markDone(key, 'm1');
      expect(await stores.effects.isDone(key)).toBe(true);
    });

    test('message status: accepted once, moves forward, final states are not overwritten by in-progress, a dead letter reopened by replay', async () => {
      const messageId = randomUUID();
      const base = { messageId, correlationId: messageId, causationId: null, type: 't.x', source: 'c', subject: 'S', destination: null, route: 'r', acceptedAt: new Date().toISOString() };
      await stores.messages.accepted(base);
      await stores.messages.update(messageId, { state: 'delivered', attempts: 2 });
      await stores.messages.accepted(base);
      await stores.messages.update(messageId, { state: 'in-progress', attempts: 3 });
      expect(await stores.messages.get(messageId)).toMatchObject({ state: 'delivered', attempts: 2 });
      await stores.messages.update(messageId, { state: 'dead-lettered', code: 'UPSTREAM_REJECTED', reason: '422', attempts: 5 });
      await stores.messages.reopen(messageId, new Date().toISOString());
      expect(await stores.messages.get(messageId)).toMatchObject({ state: 'accepted', code: null });
      // The replay publishes before it reopens: the outcome of a replayed copy that ended first stands, a second dead
      // letter (written after the replay began) too.
      for (const state of ['delivered', 'rejected', 'dead-lettered'] as const) {
        await stores.messages.update(messageId, { state: 'dead-lettered', code: 'UPSTREAM_REJECTED', reason: '422', attempts: 5 });
        const replayedAt = new Date(Date.now() - 1000).toISOString();
        await stores.messages.update(messageId, { state, code: state === 'dead-lettered' ? 'AGAIN' : null, attempts: 1 });
        await stores.messages.reopen(messageId, replayedAt);
        expect(await stores.messages.get(messageId)).toMatchObject({ state });
      }
      const child = randomUUID();
      await stores.messages.accepted({ ...base, messageId: child, causationId: messageId });
      expect((await stores.messages.children(messageId)).map((c) => c.messageId)).toEqual([child]);
      expect(await stores.messages.get(randomUUID())).toBeNull();
    });

    test('a fanned-out message: in progress until its parts have all ended, then settled from them, again when one changes', async () => {
      const parent = randomUUID();
      const base = { correlationId: parent, type: 't.x', source: 'c', subject: 'S', route: 'r', acceptedAt: new Date().toISOString() };
      await stores.messages.accepted({ ...base, messageId: parent, causationId: null, destination: null });
      const [b, c] = [randomUUID(), randomUUID()];
      await stores.messages.accepted({ ...base, messageId: b, causationId: parent, destination: 'B' });
      await stores.messages.accepted({ ...base, messageId: c, causationId: parent, destination: 'C' });
      await stores.messages.update(b, { state: 'delivered' });
      await stores.messages.update(c, { state: 'rejected', code: 'PUSH_HTTP_422', reason: 'refused' });
      // Not fanned out yet: its parts do not settle it.
      expect(await stores.messages.settleFromParts(parent)).toBeNull();
      await stores.messages.fannedOut(parent);
      expect(await stores.messages.settleFromParts(parent)).toMatchObject({ state: 'partially-delivered', code: 'PUSH_HTTP_422' });
      expect(await stores.messages.get(parent)).toMatchObject({ state: 'partially-delivered', code: 'PUSH_HTTP_422' });
      // Settled already: nothing changes, nothing is reported.
      expect(await stores.messages.settleFromParts(parent)).toBeNull();
      // The refused part replayed and delivered: the parent follows.
      await stores.messages.reopen(c, new Date().toISOString());
      expect(await stores.messages.settleFromParts(parent)).toBeNull();
      await stores.messages.update(c, { state: 'delivered' });
      expect(await stores.messages.settleFromParts(parent)).toEqual({ state: 'delivered', code: null, reason: null });
      expect(await stores.messages.get(parent)).toMatchObject({ state: 'delivered', code: null, reason: null });
      expect(await stores.messages.settleFromParts(randomUUID())).toBeNull();
    });

    test('two parts ending at once settle their parent exactly once, whichever ends last', async () => {
      for (let round = 0; round < 20; round++) {
        const parent = randomUUID();
        const base = { correlationId: parent, type: 't.x', source: 'c', subject: 'S', route: 'r', acceptedAt: new Date().toISOString() };
        await stores.messages.accepted({ ...base, messageId: parent, causationId: null, destination: null });
        const parts = [randomUUID(), randomUUID()];
        for (const [i, id] of parts.entries()) await stores.messages.accepted({ ...base, messageId: id, causationId: parent, destination: `D${i}` });
        await stores.messages.fannedOut(parent);
        // Each part as the ledger ends it: its own state written, then its parent settled if it was the last.
        const settlements = await Promise.all(
          parts.map(async (id) => {
            await stores.messages.update(id, { state: 'delivered' });
            return stores.messages.settleFromParts(parent);
          }),
        );
        expect(settlements.filter((s) => s !== null)).toEqual([{ state: 'delivered', code: null, reason: null }]);
        expect(await stores.messages.get(parent)).toMatchObject({ state: 'delivered' });
        // Both ended before either settles: still once.
        const again = randomUUID();
        await stores.messages.accepted({ ...base, messageId: again, causationId: null, destination: null });
        const twins = [randomUUID(), randomUUID()];
        for (const id of twins) {
          await stores.messages.accepted({ ...base, messageId: id, causationId: again, destination: 'D' });
          await stores.messages.update(id, { state: 'rejected', code: 'R', reason: 'no' });
        }
        await stores.messages.fannedOut(again);
        const both = await Promise.all(twins.map(() => stores.messages.settleFromParts(again)));
        expect(both.filter((s) => s !== null)).toHaveLength(1);
        expect(await stores.messages.get(again)).toMatchObject({ state: 'rejected', code: 'R' });
      }
    });

    test('waiting messages: failing since the first failure, kept through later tries, gone once settled or replayed', async () => {
      const route = `r-${randomUUID().slice(0, 8)}`;
      const ids = [randomUUID(), randomUUID()];
      for (const messageId of ids) {
        await stores.messages.accepted({ messageId, correlationId: messageId, causationId: null, type: 't.x', source: 'c', subject: 'S', destination: null, route, acceptedAt: new Date().toISOString() });
      }
      expect(await stores.messages.waiting({ route, limit: 10 })).toEqual([]);
      await stores.messages.update(ids[0]!, { state: 'in-progress', code: 'UPSTREAM_UNAVAILABLE', reason: '503', attempts: 1 });
      const first = (await stores.messages.waiting({ route, limit: 10 }))[0]!;
      await new Promise((r) => setTimeout(r, 5));
      // The next try starts (no code), fails again: failing since the first failure still.
      await stores.messages.update(ids[0]!, { state: 'in-progress', attempts: 1 });
      await stores.messages.update(ids[0]!, { state: 'in-progress', code: 'UPSTREAM_UNAVAILABLE', reason: '503', attempts: 1 });
      await stores.messages.update(ids[1]!, { state: 'in-progress', code: 'NETWORK_ERROR', reason: 'refused', attempts: 1 });
      await stores.messages.update(ids[0]!, { state: 'in-progress', attempts: 1 });
      const waiting = await stores.messages.waiting({ route, limit: 10 });
      expect(waiting.map((m) => m.messageId)).toEqual(ids);
      // A try under way keeps the last failure's code and reason.
      expect(waiting[0]).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: '503' });
      expect(waiting[0]!.failingSince).toBe(first.failingSince);
      expect(await stores.messages.waiting({ route, limit: 1 })).toHaveLength(1);
      await stores.messages.update(ids[0]!, { state: 'delivered', attempts: 1 });
      await stores.messages.update(ids[1]!, { state: 'dead-lettered', code: 'MAX_AGE_EXCEEDED', reason: 'old', attempts: 1 });
      expect(await stores.messages.waiting({ route, limit: 10 })).toEqual([]);
      await stores.messages.reopen(ids[1]!, new Date().toISOString());
      await stores.messages.update(ids[1]!, { state: 'in-progress', attempts: 1 });
      expect(await stores.messages.waiting({ route, limit: 10 })).toEqual([]);
    });

    test('subject sequences: a number pending too long is voided once; a confirmed or settled one never is', async () => {
      const subject = `HS-void-${randomUUID()}`;
      const [one, two, three] = [await stores.sequences.next(subject), await stores.sequences.next(subject), await stores.sequences.next(subject)];
      // 1 confirmed (its message is in the transport), 2 left pending (its process died), 3 settled.
      expect(await stores.sequences.confirm(subject, one)).toBe(true);
      await stores.sequences.settle(subject, three);
      // Not old enough yet.
      expect(await stores.sequences.voidAbandoned(subject, two, 60_000)).toBe(false);
      await new Promise((r) => setTimeout(r, 30));
      expect(await stores.sequences.voidAbandoned(subject, one, 10)).toBe(false);
      expect(await stores.sequences.voidAbandoned(subject, three, 10)).toBe(false);
      expect(await stores.sequences.voidAbandoned(subject, two, 10)).toBe(true);
      expect(await stores.sequences.voidAbandoned(subject, two, 10)).toBe(false);
      expect(await stores.sequences.isSettled(subject, two)).toBe(true);
      expect(await stores.sequences.isVoided(subject, two)).toBe(true);
      expect(await stores.sequences.isVoided(subject, one)).toBe(false);
      // The late intake finds its number voided: not accepted.
      expect(await stores.sequences.confirm(subject, two)).toBe(false);
    });

    test('subject sequences: 1, 2, 3 per subject; settled one by one', async () => {
      const subject = `H10-${randomUUID()}`;
      expect([await stores.sequences.next(subject), await stores.sequences.next(subject), await stores.sequences.next(subject)]).toEqual([1, 2, 3]);
      expect(await stores.sequences.next(`${subject}-other`)).toBe(1);
      expect(await stores.sequences.isSettled(subject, 0)).toBe(true);
      expect(await stores.sequences.isSettled(subject, 1)).toBe(false);
      await stores.sequences.settle(subject, 2);
      expect(await stores.sequences.isSettled(subject, 1)).toBe(false);
      expect(await stores.sequences.isSettled(subject, 2)).toBe(true);
    });

    test('subject sequences: a number its consumer settled before the intake confirmed it is confirmed; only a voided one is not', async () => {
      // A fast consumer (a dossier rejected without an upstream call) settles the number while the intake that issued it
      // is still waiting for the publish confirm; the intake's confirm must not then answer "not accepted".
      const subject = `H10-${randomUUID()}`;
      const settledFirst = await stores.sequences.next(subject);
      await stores.sequences.settle(subject, settledFirst);
      expect(await stores.sequences.confirm(subject, settledFirst)).toBe(true);
      const pending = await stores.sequences.next(subject);
      expect(await stores.sequences.confirm(subject, pending)).toBe(true);
      const voided = await stores.sequences.next(subject);
      expect(await stores.sequences.voidAbandoned(subject, voided, -1000)).toBe(true);
      expect(await stores.sequences.confirm(subject, voided)).toBe(false);
    });

    test('idempotency keys: claimed once per client, accepted, released, taken over only when abandoned', async () => {
      const key = randomUUID();
      const first = { messageId: randomUUID(), correlationId: randomUUID(), payloadDigest: 'sha256:aa', claimedAtMs: Date.now() };
      expect(await stores.idempotency.claim('motcua', key, first)).toBeNull();
      // Another client's key of the same name is its own.
      expect(await stores.idempotency.claim('qlvb', key, { ...first, messageId: randomUUID() })).toBeNull();
      const second = { ...first, messageId: randomUUID(), payloadDigest: 'sha256:bb' };
      expect(await stores.idempotency.claim('motcua', key, second)).toEqual({ ...first, state: 'pending' });
      // Pending, but not abandoned yet.
      expect(await stores.idempotency.takeOver('motcua', key, first.messageId, 60_000, Date.now())).toBe(false);
      // Abandoned: taken over once, by the first comer.
      const later = Date.now() + 120_000;
      expect(await stores.idempotency.takeOver('motcua', key, first.messageId, 60_000, later)).toBe(true);
      expect(await stores.idempotency.takeOver('motcua', key, first.messageId, 60_000, later)).toBe(false);
      await stores.idempotency.accepted('motcua', key);
      expect(await stores.idempotency.claim('motcua', key, second)).toMatchObject({ messageId: first.messageId, state: 'accepted', claimedAtMs: later });
      expect(await stores.idempotency.takeOver('motcua', key, first.messageId, 0, later + 1)).toBe(false);
      // Released only by the claim that holds it: not by another message, nor by the claim it took over from.
      await stores.idempotency.release('motcua', key, second.messageId, later);
      expect(await stores.idempotency.claim('motcua', key, second)).toMatchObject({ messageId: first.messageId });
      await stores.idempotency.release('motcua', key, first.messageId, first.claimedAtMs);
      expect(await stores.idempotency.claim('motcua', key, second)).toMatchObject({ messageId: first.messageId });
      await stores.idempotency.release('motcua', key, first.messageId, later);
      expect(await stores.idempotency.claim('motcua', key, second)).toBeNull();
    });

    test('idempotency keys: a claim its intake keeps renewing is not taken over; one it stopped renewing is', async () => {
      const key = randomUUID();
      const claimedAtMs = Date.now() - 60_000;
      const record = { messageId: randomUUID(), correlationId: randomUUID(), payloadDigest: 'sha256:cc', claimedAtMs };
      expect(await stores.idempotency.claim('motcua', key, record)).toBeNull();
      await stores.idempotency.renew('motcua', key, record.messageId, claimedAtMs, Date.now());
      expect(await stores.idempotency.takeOver('motcua', key, record.messageId, 6000, Date.now())).toBe(false);
      // A renewal of another claim (the one before a takeover) changes nothing.
      await stores.idempotency.renew('motcua', key, record.messageId, claimedAtMs - 1, Date.now() + 60_000);
      expect(await stores.idempotency.takeOver('motcua', key, record.messageId, 6000, Date.now() + 10_000)).toBe(true);
    });

    test('revoked sessions: refused from sign-out until their expiry, on every store', async () => {
      const jti = randomUUID();
      expect(await stores.revokedSessions.isRevoked(jti)).toBe(false);
      await stores.revokedSessions.revoke(jti, Date.now() + 3600_000);
      await stores.revokedSessions.revoke(jti, Date.now() + 3600_000);
      expect(await stores.revokedSessions.isRevoked(jti)).toBe(true);
      // A revocation past its session's expiry is pruned at the next sign-out.
      const expired = randomUUID();
      await stores.revokedSessions.revoke(expired, Date.now() - 1000);
      await stores.revokedSessions.revoke(randomUUID(), Date.now() + 3600_000);
      expect(await stores.revokedSessions.isRevoked(expired)).toBe(false);
      expect(await stores.revokedSessions.isRevoked(jti)).toBe(true);
    });
    test('procedure catalogue: a refresh stored whole, a later one adds, changes and withdraws, read back as written', async () => {
      const tag = randomUUID().slice(0, 8);
      const procedure = (n: number, name: string) => ({
        code: `9.${tag}.${n}`,
        name,
        fieldCode: 'HT',
        field: 'Hộ tịch',
        agency: 'Ủy ban nhân dân cấp xã',
        level: n === 1 ? null : 'Toàn trình',
        linked: n !== 2,
        listingDigest: `sha256:${n}`,
        entry: JSON.stringify({ MATTHC: `9.${tag}.${n}`, TENTTHC: name, LINHVUCTHUCHIEN: [{ MALINHVUC: 'HT', TENLINHVUC: 'Hộ tịch' }] }),
      });
      const [one, two, three] = [procedure(1, 'Đăng ký khai sinh'), procedure(2, 'Đăng ký kết hôn'), procedure(3, 'Đăng ký khai tử')];
      const first = { refreshedAt: new Date(Date.now() - 60_000).toISOString(), added: [one.code, two.code], withdrawn: [], changed: [] };
      await stores.procedures.save({ upserted: [one, two], withdrawn: [], refresh: first });
      const mine = (loaded: Awaited<ReturnType<Stores['procedures']['load']>>) => (loaded?.procedures ?? []).filter((p) => p.code.startsWith(`9.${tag}.`));
      const afterFirst = await stores.procedures.load();
      expect(mine(afterFirst)).toEqual([one, two]);
      expect(afterFirst?.refresh).toEqual(first);
      expect(JSON.parse(mine(afterFirst)[0]!.entry)).toEqual(JSON.parse(one.entry));

      const renamed = { ...two, name: 'Đăng ký kết hôn có yếu tố nước ngoài', listingDigest: 'sha256:2b', linked: true };
      const second = { refreshedAt: new Date().toISOString(), added: [three.code], withdrawn: [one.code], changed: [two.code] };
      await stores.procedures.save({ upserted: [renamed, three], withdrawn: [one.code], refresh: second });
      const afterSecond = await stores.procedures.load();
      expect(mine(afterSecond)).toEqual([renamed, three]);
      expect(afterSecond?.refresh).toEqual(second);
    });

    test("procedure catalogue: a first refresh of the province's size is stored in one call", async () => {
      const tag = randomUUID().slice(0, 8);
      const many = Array.from({ length: 1864 }, (_, i) => ({
        code: `8.${tag}.${String(i).padStart(4, '0')}`,
        name: `Thủ tục số ${i}`,
        fieldCode: 'DD',
        field: 'Đất đai',
        agency: 'Sở Tài nguyên và Môi trường',
        level: 'Một phần',
        linked: i < 1161,
        listingDigest: `sha256:${i}`,
        entry: JSON.stringify({ MATTHC: `8.${tag}.${i}` }),
      }));
      await stores.procedures.save({ upserted: many, withdrawn: [], refresh: { refreshedAt: new Date().toISOString(), added: [], withdrawn: [], changed: [] } });
      const stored = (await stores.procedures.load())?.procedures.filter((p) => p.code.startsWith(`8.${tag}.`)) ?? [];
      expect(stored).toHaveLength(1864);
      expect(stored.filter((p) => p.linked)).toHaveLength(1161);
    });
  });
}
