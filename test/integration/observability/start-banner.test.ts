// The command line's start banner is one JSON log line among the others (code BUS_STARTED), written whatever the log
// level, and still says `LGSP bus on <url>` for whoever finds the address in the output.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnBus, writeBusConfig, type BusProcess } from '../../../testkit/bus-process';
import { waitFor } from '../../../testkit/env';

describe('start banner', () => {
  let dir: string;
  let bus: BusProcess | undefined;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lgsp-banner-'));
  });
  afterAll(async () => {
    if (bus && bus.child.exitCode === null) {
      bus.child.kill('SIGTERM');
      await bus.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('at logging.level warn the bus still logs where it listens, as one JSON line; stdout holds nothing but JSON lines', async () => {
    const configDir = writeBusConfig({ dir, amqpUrl: null, namePrefix: 'banner', receiverUrl: 'http://127.0.0.1:9', port: 0 });
    const started = spawnBus(configDir);
    bus = started;
    const url = await waitFor(() => started.url || (started.child.exitCode !== null ? Promise.reject(new Error(started.output())) : null), 30_000, 'the banner');
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    const output = started.output().split('\n').filter((line) => line !== '');
    for (const line of output) expect(() => JSON.parse(line) as unknown).not.toThrow();
    const banner = output.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.code === 'BUS_STARTED');
    expect(banner).toHaveLength(1);
    expect(banner[0]).toMatchObject({
      level: 'info',
      msg: `LGSP bus on ${url}`,
      url,
      adminConsole: `${url}/admin/`,
      metrics: `${url}/metrics`,
      transport: 'embedded',
      stores: 'sqlite',
      profile: 'development',
    });
  });
});
