// One package with a 20 MiB attachment through a bus child process on the embedded default: accepted, delivered to a
// mailbox and a push endpoint byte-exact, downloaded by its recipient, with the bus's peak RSS (VmHWM, the kernel's own
// high-water mark) rising by a bounded multiple of the package: it is held as bytes once, stored once, and streamed
// to its recipients from the store rather than read back whole per recipient. Four such packages sent at once raise it
// little more than one does: large bodies wait in spool files and are taken into memory one at a time.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { waitFor } from '../../../testkit/env';
import { documentPackage } from '../../../testkit/worlds/edoc/packages';
import { CLIENT_A, CLIENT_B, ORGAN_A, ORGAN_B, ORGAN_C } from '../../../testkit/worlds/edoc/edoc-bus';
import { downloadPackage } from '../../../testkit/worlds/edoc/edoc-calls';
import { startAxisInboundWorld, type AxisInboundWorld } from '../../../testkit/worlds/edoc/axis-inbound-world';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const vmKb = (pid: number, field: 'VmHWM' | 'VmRSS'): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

/** A bus child process on the embedded default; the axis poller idles (nothing queued there). */
function busChildProcess(): { world: () => AxisInboundWorld } {
  let world: AxisInboundWorld;
  beforeAll(async () => {
    world = await startAxisInboundWorld({ amqpAndPostgres: false, pollIntervalMs: 60_000 });
  });
  afterAll(async () => {
    await world?.stop();
  });
  return { world: () => world };
}

const deliveredToAll = async (world: AxisInboundWorld, token: string, messageId: string, recipients: number): Promise<boolean> => {
  const status = await request(world.url()).get(`/api/v1/messages/${messageId}`).set('Authorization', `Bearer ${token}`);
  const parts = (status.body as { parts?: { state: string }[] }).parts ?? [];
  return parts.length === recipients && parts.every((p) => p.state === 'delivered');
};

describe('a 20 MiB attachment through the bus (child process, embedded default)', () => {
  const child = busChildProcess();
  let world: AxisInboundWorld;
  beforeAll(() => {
    world = child.world();
  });

  test('peak RSS rises by less than 4 times the package; both recipients get the exact bytes', async () => {
    const documentId = `${ORGAN_A},2026/12/04,${Date.now() % 100000}/UBND-LARGE`;
    const sent = documentPackage({ from: ORGAN_A, to: [ORGAN_B, ORGAN_C], documentId, attachment: randomBytes(20 * 1024 * 1024) });
    const pid = world.bus().child.pid!;
    const before = vmKb(pid, 'VmHWM');

    const accepted = await request(world.url()).post('/api/v1/edocs').set('Authorization', `Bearer ${world.token(CLIENT_A)}`).set('Content-Type', 'application/xml').send(sent).expect(202);
    const messageId = (accepted.body as { messageId: string }).messageId;
    await waitFor(() => deliveredToAll(world, world.token(CLIENT_A), messageId, 2), 60_000, 'delivered to both recipients');
    const inbox = await request(world.url()).get('/api/v1/edocs/inbox?kind=edoc').set('Authorization', `Bearer ${world.token(CLIENT_B)}`).expect(200);
    const entry = (inbox.body.items as { id: string; documentId: string }[]).find((i) => i.documentId === documentId)!;
    const downloaded = await downloadPackage(world.url(), world.token(CLIENT_B), entry.id);
    const pushed = world.push.applied('edoc').find((a) => a.routing.documentId === documentId)!;
    expect(sha256(downloaded)).toBe(sha256(sent));
    expect(sha256(pushed.content)).toBe(sha256(sent));

    // The body Buffer (one copy of the package), the socket's pieces of it not yet collected, and bounded windows while
    // it is checked, stored and delivered: ~3.1 times the package on the reference machine (83–84 MB for this 26.7 MB
    // package). Stored as 1 MiB SQLite rows and read back whole for the push, it rose by ~4.7 times (125 MB).
    const risenMb = (vmKb(pid, 'VmHWM') - before) / 1024;
    const packageMb = sent.length / (1024 * 1024);
    expect(risenMb).toBeLessThan(4 * packageMb);
  });
});

describe('four 20 MiB attachments sent at once (child process, embedded default)', () => {
  const child = busChildProcess();

  test('peak RSS rises by less than 4.5 times one package: the bodies wait on disk, not in memory', async () => {
    const world = child.world();
    // Two per client, the default per-client share; four in all, the default total.
    const sends = [CLIENT_A, CLIENT_A, CLIENT_B, CLIENT_B].map((client, i) => {
      const from = client === CLIENT_A ? ORGAN_A : ORGAN_B;
      const documentId = `${from},2026/12/04,${Date.now() % 100000}-${i}/UBND-LARGE`;
      return { client, body: documentPackage({ from, to: [ORGAN_C], documentId, attachment: randomBytes(20 * 1024 * 1024) }) };
    });
    const pid = world.bus().child.pid!;
    const before = vmKb(pid, 'VmHWM');

    const answers = await Promise.all(
      sends.map(({ client, body }) => request(world.url()).post('/api/v1/edocs').set('Authorization', `Bearer ${world.token(client)}`).set('Content-Type', 'application/xml').send(body)),
    );
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202]);
    for (const [i, answer] of answers.entries()) {
      const messageId = (answer.body as { messageId: string }).messageId;
      await waitFor(() => deliveredToAll(world, world.token(sends[i]!.client), messageId, 1), 60_000, 'delivered');
    }

    // Waiting on disk and taken in turn into one reused Buffer: ~3.3 times one package on the reference machine (85–92
    // MB). Held whole at once, the four bodies raised it by ~5.8 times (154 MB); read into a new Buffer each, by ~4.
    const risenMb = (vmKb(pid, 'VmHWM') - before) / 1024;
    const packageMb = sends[0]!.body.length / (1024 * 1024);
    expect(risenMb).toBeLessThan(4.5 * packageMb);
  });
});
