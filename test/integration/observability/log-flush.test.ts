// The bus logs asynchronously (a buffered stdout destination); no line logged before an exit is lost: the last lines
// before a SIGTERM stop, and the lines before a crash with the fatal line after them, are all on stdout, whole.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startReceiverSimulator, type ReceiverSimulator } from '../../../testkit/simulators/receiver/simulator';
import { busProcessDocuments, spawnBus, TEST_CLIENT, TEST_SIGNING_KEY, type BusProcess } from '../../../testkit/bus-process';
import { writeConfigDir } from '../../../testkit/config/bus-documents';
import { waitFor } from '../../../testkit/env';
import { sendPings, testToken } from '../../../testkit/intake';

const MESSAGES = 300;

interface LogLine {
  level: string;
  msg: string;
  code?: string;
  messageId?: string;
}

/** stdout's lines as the bus wrote them; a line cut short (a lost tail) fails JSON.parse. */
function logLines(bus: BusProcess): LogLine[] {
  return bus
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

function idsLogged(lines: LogLine[], msg: string): Set<string> {
  return new Set(lines.filter((line) => line.msg === msg).flatMap((line) => (line.messageId === undefined ? [] : [line.messageId])));
}

describe('log lines at exit (bus process, asynchronous logging)', () => {
  let receiver: ReceiverSimulator;
  let dir: string;
  let bus: BusProcess | null = null;

  beforeAll(async () => {
    receiver = await startReceiverSimulator();
    dir = mkdtempSync(path.join(tmpdir(), 'lgsp-log-flush-'));
  });

  afterAll(async () => {
    if (bus && bus.child.exitCode === null) {
      bus.child.kill('SIGKILL');
      await bus.exited;
    }
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A bus process answering /readyz; `extraEnv` goes to its environment. */
  async function startBusProcess(configDirectory: string, extraEnv: Record<string, string> = {}): Promise<BusProcess> {
    const started = spawnBus(configDirectory, extraEnv);
    bus = started;
    await waitFor(async () => {
      if (started.child.exitCode !== null) throw new Error(`bus exited early:\n${started.output()}`);
      if (!started.url) return false;
      const res = await fetch(`${started.url}/readyz`).catch(() => null);
      return res?.status === 200;
    }, 30_000, 'bus ready');
    return started;
  }

  /** A bus at logging.level info (a line per message accepted and per delivery), on the embedded transport. */
  function configDir(name: string): string {
    const documents = busProcessDocuments({ dir: path.join(dir, name), amqpUrl: null, namePrefix: name, receiverUrl: receiver.url, port: 0 });
    return writeConfigDir(path.join(dir, name), { ...documents, bus: { ...documents.bus, logging: { level: 'info' } } });
  }

  /**
   * Sends MESSAGES pings and waits until the bus holds every one as delivered: it has just logged their deliveries.
   * (The receiver applying a push comes before the bus records and logs that delivery, so waiting on the receiver
   * alone let a few "delivered" lines fall after the stop had begun.)
   */
  async function deliverAll(running: BusProcess): Promise<string[]> {
    const token = testToken(TEST_CLIENT, TEST_SIGNING_KEY);
    const before = receiver.applied().length;
    const intake = await sendPings(() => running.url, token, MESSAGES, 50);
    expect(intake.refused).toEqual([]);
    await waitFor(() => receiver.applied().length >= before + MESSAGES, 60_000, 'every message applied');
    let pending = intake.accepted;
    await waitFor(async () => {
      const states = await Promise.all(pending.map(async (id) => {
        const res = await fetch(`${running.url}/api/v1/messages/${id}`, { headers: { authorization: `Bearer ${token}` } });
        return ((await res.json()) as { state?: string }).state;
      }));
      pending = pending.filter((_, i) => states[i] !== 'delivered');
      return pending.length === 0;
    }, 30_000, 'every message delivered in the bus\'s status');
    return intake.accepted;
  }

  test('a line logged at idle reaches stdout without an exit (the buffer is written at an interval, not only when full)', async () => {
    const running = await startBusProcess(configDir('idle'));
    const intake = await sendPings(() => running.url, testToken(TEST_CLIENT, TEST_SIGNING_KEY), 1, 1);
    expect(intake.accepted).toHaveLength(1);
    await waitFor(() => idsLogged(logLines(running), 'delivered').has(intake.accepted[0]!), 5_000, 'the delivered line on stdout');
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  });

  test('SIGTERM right after a burst: every accepted and delivered line is on stdout, and "stopped" is the last', async () => {
    const running = await startBusProcess(configDir('term'));
    const accepted = await deliverAll(running);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);

    const lines = logLines(running);
    expect(idsLogged(lines, 'accepted')).toEqual(new Set(accepted));
    expect(idsLogged(lines, 'delivered')).toEqual(new Set(accepted));
    expect(lines.map((line) => line.msg).slice(-3)).toEqual(['stopping', 'draining: intake closed, finishing deliveries in flight', 'stopped']);
  });

  test('a crash (uncaught exception): the lines before it are on stdout, then one fatal line; exit code 1, stack on stderr', async () => {
    // The crash is a throw on the bus's own event loop, set off by SIGUSR2 through a module loaded before the bus.
    const crashModule = path.join(dir, 'crash-on-sigusr2.js');
    writeFileSync(crashModule, "process.on('SIGUSR2', () => setImmediate(() => { throw new Error('crash for the test'); }));\n");
    const running = await startBusProcess(configDir('crash'), { NODE_OPTIONS: `--require ${crashModule}` });
    const accepted = await deliverAll(running);
    running.child.kill('SIGUSR2');
    expect(await running.exited).toBe(1);

    const lines = logLines(running);
    expect(idsLogged(lines, 'accepted')).toEqual(new Set(accepted));
    expect(idsLogged(lines, 'delivered')).toEqual(new Set(accepted));
    expect(lines.at(-1)).toMatchObject({ level: 'fatal', code: 'BUS_CRASHED', msg: 'the bus crashed' });
    expect(running.output()).toContain('Error: crash for the test');
  });
});
