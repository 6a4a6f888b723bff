// Retention in the running bus: old records go to a bundle that verifies on its own, are pruned, and what remains
// (and what comes after) still verifies, anchored to the exported head.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { BundleSource, loadPublicKey, verifyAudit } from '../../../src/audit';
import { waitFor } from '../../../testkit/env';
import { startDossierWorld, type DossierWorld } from '../../../testkit/worlds/dossier-world';

const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
const code = (n: number) => `000.00.04.H10-261201-${Date.now() % 1e6}${String(n).padStart(3, '0')}`;

describe('audit retention in the bus', () => {
  let world: DossierWorld;
  beforeAll(async () => {
    world = await startDossierWorld({ transport: 'embedded', audit: { retention: { keepDays: 0, exportDir: 'archive', intervalMs: 3_600_000 } } });
  });
  afterAll(async () => world?.dispose());

  /** Submits a dossier and waits until the bus has settled it as delivered (its last audit record written). */
  const deliver = async (maHoSo: string) => {
    const bus = world.buses[0]!;
    const accepted = await request(bus.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).send({ ...sample, MaHoSo: maHoSo }).expect(202);
    await waitFor(async () => {
      const message = await request(bus.url()).get(`/api/v1/messages/${accepted.body.messageId}`).set('Authorization', `Bearer ${world.token}`);
      return message.body.state === 'delivered';
    }, 20_000, 'the dossier settled as delivered');
  };

  test('exports, prunes, and everything still verifies', async () => {
    const bus = world.buses[0]!;
    await deliver(code(1));
    // keepDays 0 keeps nothing older than now: the clock must be past the settled dossier's last record.
    const settledAt = Date.now();
    await waitFor(() => Date.now() > settledAt, 1_000, 'the clock past the last record');
    const results = await bus.retention!.runOnce();
    expect(results).toHaveLength(1);
    expect(results[0]!.pruned).toBeGreaterThanOrEqual(5);
    const publicKey = loadPublicKey(readFileSync(path.join(world.dataDir, 'audit-signing.pub.pem'), 'utf8'));
    const bundleReport = await verifyAudit(BundleSource.read(results[0]!.bundleFile), { publicKeys: [publicKey] });
    expect(bundleReport.ok).toBe(true);
    expect((await bus.audit.verify()).ok).toBe(true);
    await deliver(code(2));
    await bus.audit.checkpoint();
    const after = await bus.audit.verify();
    expect(after.ok).toBe(true);
    expect(after.chains[0]!.firstSeq).toBeGreaterThan(results[0]!.throughSeq);
  });
});
