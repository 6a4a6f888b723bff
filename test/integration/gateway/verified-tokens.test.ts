// Client tokens are verified once and kept until their expiry: a kept token stops being taken at that instant, a token differing from a kept one by a byte is verified (and refused) on its own, over a real socket.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { startReceiverSimulator, type ReceiverSimulator } from '../../../testkit/simulators/receiver/simulator';
import { startBus, type Bus } from '../../../src/bus';
import { createLogger } from '../../../src/observability/logger';
import { busProcessDocuments, TEST_CLIENT, TEST_SIGNING_KEY } from '../../../testkit/bus-process';
import { loadDocuments } from '../../../testkit/config/bus-documents';
import { DEVELOPMENT_PROFILE, waitFor } from '../../../testkit/env';

describe('verified client tokens are kept only while they would verify', () => {
  let receiver: ReceiverSimulator;
  let bus: Bus;
  let dir: string;
  const ping = { type: 'test.ping', subject: 'VT-1', payload: { n: 1 } };
  const post = (token: string) => request(bus.url()).post('/api/v1/messages').set('Authorization', `Bearer ${token}`).send(ping);
  const now = () => Math.floor(Date.now() / 1000);
  const token = (claims: object) => jwt.sign({ iss: 'lgsp-bus', aud: 'lgsp-bus', sub: TEST_CLIENT, ...claims }, TEST_SIGNING_KEY, { algorithm: 'HS256' });

  beforeAll(async () => {
    receiver = await startReceiverSimulator();
    dir = mkdtempSync(path.join(tmpdir(), 'lgsp-verified-tokens-'));
    const documents = busProcessDocuments({ dir, amqpUrl: null, namePrefix: 'vtokens', receiverUrl: receiver.url, port: 0 });
    // No clock tolerance: a kept token must stop being taken the second it would not verify.
    documents.bus.auth = { ...documents.bus.auth, clockToleranceSeconds: 0 };
    bus = await startBus(loadDocuments(documents, { configDir: path.join(dir, 'config'), env: DEVELOPMENT_PROFILE }), { logger: createLogger('silent') });
  });
  afterAll(async () => {
    await bus.stop();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a kept token is refused TOKEN_EXPIRED once its exp has passed', async () => {
    // exp is in whole seconds, so now() + 4 leaves the token 3 to 4 s of life: room for its two posts on a loaded
    // machine (with now() + 2, as little as 1 s, the second post once came after the expiry).
    const shortLived = token({ iat: now(), exp: now() + 4 });
    await post(shortLived).expect(202);
    await post(shortLived).expect(202);
    await waitFor(async () => (await post(shortLived)).status === 401, 10_000);
    const res = await post(shortLived).expect(401);
    expect(res.body.code).toBe('TOKEN_EXPIRED');
  });

  test('a token one byte away from a kept one is verified on its own and refused', async () => {
    const good = token({ iat: now(), exp: now() + 3 });
    await post(good).expect(202);
    const last = good.at(-2) === 'A' ? 'B' : 'A';
    const forged = `${good.slice(0, -2)}${last}${good.slice(-1)}`;
    const res = await post(forged).expect(401);
    expect(res.body.code).toBe('TOKEN_SIGNATURE_INVALID');
    await post(good).expect(202);
  });
});
