// The bus started on a config whose deployment-specific values come from LGSP__<PATH> variables: it listens where the
// environment says and delivers to the upstream URL the environment gives, not the one in bus.yaml.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBus, type Bus } from '../../../src/bus';
import { loadBusConfig } from '../../../src/bus-config';
import { createLogger } from '../../../src/observability/logger';
import { TEST_CLIENT, TEST_SIGNING_KEY, writeBusConfig } from '../../../testkit/bus-process';
import { DEVELOPMENT_PROFILE, waitFor } from '../../../testkit/env';
import { testToken } from '../../../testkit/intake';

describe('a bus configured from the environment', () => {
  let dir: string;
  let receiver: Server;
  let received: { url: string | undefined; body: string }[];
  let bus: Bus | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'lgsp-env-overrides-'));
    received = [];
    receiver = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ url: req.url, body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await bus?.stop();
    await new Promise((resolve) => receiver.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  test('LGSP__ variables override the listen port, the upstream URL and the retry policy', async () => {
    // bus.yaml points the receiver adapter at a port nobody listens on and the bus at a fixed port.
    const configDir = writeBusConfig({ dir, amqpUrl: null, namePrefix: 'env-overrides', receiverUrl: 'http://127.0.0.1:9', port: 1 });
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/from-env`;
    const config = loadBusConfig({
      configDir,
      env: {
        ...DEVELOPMENT_PROFILE,
        LGSP__HTTP__PORT: '0',
        LGSP__ADAPTERS__RECEIVER__URL: receiverUrl,
        LGSP__RETRY__MAX_ATTEMPTS: '3',
        LGSP__LOGGING__LEVEL: 'silent',
      },
    });
    expect(config.http.port).toBe(0);
    expect(config.adapters.receiver!.url).toBe(receiverUrl);
    expect(config.routes[0]!.retry.maxAttempts).toBe(3);
    bus = await startBus(config, { logger: createLogger('silent') });
    const res = await fetch(`${bus.url()}/api/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${testToken(TEST_CLIENT, TEST_SIGNING_KEY)}` },
      body: JSON.stringify({ type: 'test.ping', subject: 'ENV-1', payload: { n: 1 } }),
    });
    expect(res.status).toBe(202);
    await waitFor(() => (received.length > 0 ? true : null), 15_000, 'the delivery at the overridden URL');
    expect(received[0]!.url).toBe('/from-env');
    expect(JSON.parse(received[0]!.body)).toMatchObject({ type: 'test.ping', subject: 'ENV-1', payload: { n: 1 } });
  });
});
