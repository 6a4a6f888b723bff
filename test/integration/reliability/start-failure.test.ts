// A bus that cannot start says so and exits non-zero: a port already in use is named with its address, never followed
// by "bus started" and exit 0 (express's app.listen calls its callback on 'error' too), and an in-process start that
// fails closes what it had opened.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBus } from '../../../src/bus';
import { loadBusConfig } from '../../../src/bus-config';
import { createLogger } from '../../../src/observability/logger';
import { spawnBus, writeBusConfig } from '../../../testkit/bus-process';
import { DEVELOPMENT_PROFILE } from '../../../testkit/env';

describe('start-up failures', () => {
  let holder: Server;
  let port: number;
  let dir: string;
  beforeAll(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    port = (holder.address() as { port: number }).port;
    dir = mkdtempSync(path.join(tmpdir(), 'lgsp-start-failure-'));
  });
  afterAll(async () => {
    await new Promise((resolve) => holder.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  test('a port already in use: the process exits 1 naming the address, and never says it started', async () => {
    const configDir = writeBusConfig({ dir, amqpUrl: null, namePrefix: 'start-failure', receiverUrl: 'http://127.0.0.1:9', port });
    const bus = spawnBus(configDir);
    const code = await bus.exited;
    expect(code).toBe(1);
    expect(bus.output()).toContain(`cannot listen on 127.0.0.1:${port}: the address is already in use`);
    expect(bus.output()).not.toContain('LGSP bus on');
    expect(bus.output()).not.toContain('BUS_STARTED');
  });

  test('in process, the failed start rejects and closes its stores, so the same data dir starts cleanly after', async () => {
    const configDir = writeBusConfig({ dir: path.join(dir, 'in-process'), amqpUrl: null, namePrefix: 'start-failure', receiverUrl: 'http://127.0.0.1:9', port });
    const config = loadBusConfig({ configDir, env: DEVELOPMENT_PROFILE });
    await expect(startBus(config, { logger: createLogger('silent') })).rejects.toThrow(`cannot listen on 127.0.0.1:${port}`);
    const bus = await startBus({ ...config, http: { ...config.http, port: 0 } }, { logger: createLogger('silent') });
    await bus.stop();
  });
});
