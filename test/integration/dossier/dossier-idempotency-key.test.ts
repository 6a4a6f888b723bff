// A one-stop system that sends a dossier or a progress step again after a lost answer (a cut connection, a timeout,
// a bus killed after accepting) would make a second message, and DVCQG would see the step twice. With an
// Idempotency-Key the resend is answered as the first was.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { DATABASE_URL, waitFor } from '../../../testkit/env';
import { transportIdle } from '../../../testkit/bus-idle';
import { startDossierWorld, type DossierWorld } from '../../../testkit/worlds/dossier-world';
import { TEST_CLIENT } from '../../../testkit/bus-process';
import { createEnvelope, normalizeNfc, payloadDigest, type JsonValue } from '../../../src/core/envelope';
import { uuidv7 } from '../../../src/core/uuid';

const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
const code = (n: number) => `000.00.04.H10-261127-${Date.now() % 1e6}${String(n).padStart(4, '0')}`;
const step = (maHoSo: string, text: string) => ({ MaHoSo: maHoSo, TrangThaiHoSo: 'DangXuLy', NguoiXuLy: 'Trần Văn Bình', NoiDungXuLy: text, ThoiGianXuLy: '2026-11-27T10:00:00+07:00' });

describe.each([
  ['embedded', { transport: 'embedded' as const }],
  ['RabbitMQ and PostgreSQL', { transport: 'amqp' as const, databaseUrl: DATABASE_URL }],
])('Idempotency-Key at dossier intake (%s)', (_name, transport) => {
  let world: DossierWorld;
  beforeAll(async () => {
    world = await startDossierWorld(transport);
  });
  afterAll(async () => world?.dispose());

  const post = (url: string, body: object, key?: string) => {
    const call = request(world.buses[0]!.url()).post(url).set('Authorization', `Bearer ${world.token}`);
    return (key === undefined ? call : call.set('Idempotency-Key', key)).send(body);
  };

  // A duplicate would show only once the bus has nothing left to deliver: every message it answered with is delivered
  // and none is queued or waiting for its publish to be confirmed.
  const settled = async (ids: string[]) => {
    const bus = world.buses[0]!;
    for (const id of ids) {
      const res = await request(bus.url()).get(`/api/v1/messages/${id}`).set('Authorization', `Bearer ${world.token}`);
      if (res.body.state !== 'delivered') return false;
    }
    return transportIdle(bus.transport);
  };

  test('a dossier and a progress step sent twice with their keys are one message each at DVCQG', async () => {
    const maHoSo = code(1);
    const dossierKey = randomUUID();
    const first = await post('/api/v1/dossiers', { ...sample, MaHoSo: maHoSo }, dossierKey).expect(202);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post('/api/v1/dossiers', { ...sample, MaHoSo: maHoSo }, dossierKey).expect(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);

    const stepKey = randomUUID();
    const progress = await post(`/api/v1/dossiers/${maHoSo}/progress`, step(maHoSo, 'Bước 1'), stepKey).expect(202);
    const progressAgain = await post(`/api/v1/dossiers/${maHoSo}/progress`, step(maHoSo, 'Bước 1'), stepKey).expect(202);
    expect(progressAgain.body.messageId).toBe(progress.body.messageId);
    // Without a key, the same body is a new message (the bus cannot tell a resend from a second step).
    const second = await post(`/api/v1/dossiers/${maHoSo}/progress`, step(maHoSo, 'Bước 2')).expect(202);

    const stored = await waitFor(() => {
      const d = world.dvcqg.store.dossier(maHoSo);
      return d && d.progress.length >= 2 ? d : null;
    }, 20_000, 'both steps at DVCQG');
    await waitFor(() => settled([first.body.messageId, progress.body.messageId, second.body.messageId]), 20_000, 'every message settled');
    expect(stored.syncCount).toBe(1);
    expect(stored.progress.map((p) => p.item.NoiDungXuLy)).toEqual(['Bước 1', 'Bước 2']);
    const replays = (await world.buses[0]!.metrics.idempotentReplays.get()).values.reduce((n, v) => n + v.value, 0);
    expect(replays).toBe(2);
  });

  test('the same key with another payload is refused 422 IDEMPOTENCY_KEY_REUSED; a malformed key 400', async () => {
    const maHoSo = code(2);
    const key = randomUUID();
    await post('/api/v1/dossiers', { ...sample, MaHoSo: maHoSo }, key).expect(202);
    const reused = await post('/api/v1/dossiers', { ...sample, MaHoSo: maHoSo, TrichYeuHoSo: 'Một hồ sơ khác' }, key).expect(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const malformed = await post('/api/v1/dossiers', { ...sample, MaHoSo: code(3) }, 'x'.repeat(256)).expect(400);
    expect(malformed.body.code).toBe('INVALID_IDEMPOTENCY_KEY');
  });

  test('concurrent sends with one key make one message: the others are replays or told to try again', async () => {
    const maHoSo = code(4);
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 6 }, () => post('/api/v1/dossiers', { ...sample, MaHoSo: maHoSo }, key)));
    const accepted = answers.filter((a) => a.status === 202);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted.map((a) => a.body.messageId)).size).toBe(1);
    for (const other of answers.filter((a) => a.status !== 202)) {
      expect(other.status).toBe(409);
      expect(other.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
      expect(other.headers['retry-after']).toBe('1');
    }
    await waitFor(() => world.dvcqg.store.dossier(maHoSo), 20_000, 'dossier at DVCQG');
    await waitFor(() => settled([accepted[0]!.body.messageId]), 20_000, 'the message settled');
    expect(world.dvcqg.store.dossier(maHoSo)!.syncCount).toBe(1);
  });

  test('a key still being accepted answers 409; one left pending by an intake that died is taken over, keeping its message id', async () => {
    const bus = world.buses[0]!;
    const body = { ...sample, MaHoSo: code(5) };
    const digest = payloadDigest(normalizeNfc(body as JsonValue));
    const inUseKey = randomUUID();
    await bus.stores.idempotency.claim(TEST_CLIENT, inUseKey, { messageId: uuidv7(), correlationId: uuidv7(), payloadDigest: digest, claimedAtMs: Date.now() });
    expect((await post('/api/v1/dossiers', body, inUseKey).expect(409)).body.code).toBe('IDEMPOTENCY_KEY_IN_USE');

    // What a process killed between claiming the key and answering leaves behind, 60 s ago.
    const abandonedKey = randomUUID();
    const abandoned = { messageId: uuidv7(), correlationId: uuidv7(), payloadDigest: digest, claimedAtMs: Date.now() - 60_000 };
    await bus.stores.idempotency.claim(TEST_CLIENT, abandonedKey, abandoned);
    const taken = await post('/api/v1/dossiers', body, abandonedKey).expect(202);
    expect(taken.body).toMatchObject({ messageId: abandoned.messageId, correlationId: abandoned.correlationId });
    expect(taken.headers['idempotent-replayed']).toBeUndefined();
    expect((await post('/api/v1/dossiers', body, abandonedKey).expect(202)).headers['idempotent-replayed']).toBe('true');
    await waitFor(() => world.dvcqg.store.dossier(body.MaHoSo), 20_000, 'dossier at DVCQG');
  });

  /** What an intake killed after its publish leaves behind: the key pending, the status accepted, the copy queued. */
  const killedAfterPublish = async (maHoSo: string, body: Record<string, unknown>, key: string, claimedAtMs: number) => {
    const bus = world.buses[0]!;
    const payload = normalizeNfc(body as JsonValue);
    const messageId = uuidv7();
    await bus.stores.idempotency.claim(TEST_CLIENT, key, { messageId, correlationId: messageId, payloadDigest: payloadDigest(payload), claimedAtMs });
    const sequence = await bus.stores.sequences.next(maHoSo);
    const envelope = createEnvelope({ id: messageId, type: 'dossier.progress', source: TEST_CLIENT, destination: 'dvcqg', subject: maHoSo, sequence, payload });
    await bus.stores.messages.accepted({ messageId, correlationId: messageId, causationId: null, type: envelope.type, source: TEST_CLIENT, subject: maHoSo, destination: 'dvcqg', route: 'dossier-progress', acceptedAt: envelope.createdAt });
    await bus.transport.publish('dossier-progress', envelope);
    return envelope;
  };
  const stepsAt = (maHoSo: string, count: number) =>
    waitFor(() => {
      const d = world.dvcqg.store.dossier(maHoSo);
      return d && d.progress.length >= count ? d.progress.map((p) => p.item.NoiDungXuLy) : null;
    }, 20_000, `${count} steps at DVCQG`);

  test('an intake killed after its publish: once a consumer has the message, the resend is answered as accepted at once', async () => {
    const maHoSo = code(6);
    await post('/api/v1/dossiers', { ...sample, MaHoSo: maHoSo }, randomUUID()).expect(202);
    const key = randomUUID();
    // Claimed just now: the takeover time is far off, so only the consumer's evidence can settle the key.
    const copy = await killedAfterPublish(maHoSo, step(maHoSo, 'Bước 1'), key, Date.now());
    await stepsAt(maHoSo, 1);
    const resend = await waitFor(async () => {
      const res = await post(`/api/v1/dossiers/${maHoSo}/progress`, step(maHoSo, 'Bước 1'), key);
      return res.status === 202 ? res : null;
    }, 5000, 'the resend answered 202');
    expect(resend.body.messageId).toBe(copy.id);
    expect(resend.headers['idempotent-replayed']).toBe('true');
    await post(`/api/v1/dossiers/${maHoSo}/progress`, step(maHoSo, 'Bước 2'), randomUUID()).expect(202);
    expect(await stepsAt(maHoSo, 2)).toEqual(['Bước 1', 'Bước 2']);
  });

  test('one message id has one effect: a second copy under another sequence number (a takeover) is not applied again', async () => {
    const bus = world.buses[0]!;
    const maHoSo = code(7);
    await post('/api/v1/dossiers', { ...sample, MaHoSo: maHoSo }, randomUUID()).expect(202);
    const first = await post(`/api/v1/dossiers/${maHoSo}/progress`, step(maHoSo, 'Bước 1'), randomUUID()).expect(202);
    await stepsAt(maHoSo, 1);
    // The copy a takeover publishes: the same message id, a new (confirmed) number of the subject.
    const sequence = await bus.stores.sequences.next(maHoSo);
    await bus.stores.sequences.confirm(maHoSo, sequence);
    const payload = normalizeNfc(step(maHoSo, 'Bước 1') as JsonValue);
    await bus.transport.publish('dossier-progress', createEnvelope({ id: String(first.body.messageId), type: 'dossier.progress', source: TEST_CLIENT, destination: 'dvcqg', subject: maHoSo, sequence, payload }));
    await post(`/api/v1/dossiers/${maHoSo}/progress`, step(maHoSo, 'Bước 2'), randomUUID()).expect(202);
    expect(await stepsAt(maHoSo, 2)).toEqual(['Bước 1', 'Bước 2']);
  });
});
