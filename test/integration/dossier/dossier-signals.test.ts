// Abort signals per dossier. Each AbortSignal gets a hidden class of its own on Node 20 (it is made by giving an
// EventTarget another prototype), which lives in the old generation until a full collection: the dossier path makes a
// signal only where a call reads one. The breaker's deadline is the one signal of an upstream call (the HTTP pool
// makes no second one when the caller's ends first), and a step that reads none (the mapping, a kept catalogue entry)
// makes none. Counted over real sockets against the simulators, on the embedded transport.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { waitFor } from '../../../testkit/env';
import { startDossierWorld, type DossierWorld } from '../../../testkit/worlds/dossier-world';
import { countAbortSignalsMade } from '../../../testkit/abort-signals';

const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
const dossierCode = (i: number) => `000.00.04.H10-261207-${String(Math.floor(Math.random() * 1e5) * 100 + i).padStart(7, '0')}`;

describe('abort signals per dossier', () => {
  let world: DossierWorld;
  beforeAll(async () => {
    world = await startDossierWorld({ transport: 'embedded' });
  });
  afterAll(async () => world?.dispose());

  async function deliver(codes: string[]): Promise<void> {
    const bus = world.buses[0]!;
    for (const maHoSo of codes) {
      await request(bus.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).send({ ...sample, MaHoSo: maHoSo }).expect(202);
    }
    await waitFor(() => codes.every((code) => world.dvcqg.store.dossier(code)?.syncCount === 1) || null, 30_000, 'the dossiers synced to DVCQG');
  }

  test('two per dossier: the population check and the DVCQG sync, one each', async () => {
    // The province's catalogue copy is made at start, a call per procedure; the first dossier warms the DVCQG session.
    const bus = world.buses[0]!;
    await waitFor(
      async () => {
        const res = await request(bus.url()).get('/api/v1/procedures').set('Authorization', `Bearer ${world.token}`);
        return res.status === 200 && (res.body as { catalogue?: { procedures?: number } }).catalogue?.procedures ? true : null;
      },
      30_000,
      "the province's catalogue copy",
    );
    await deliver([dossierCode(0)]);
    const signals = countAbortSignalsMade();
    try {
      await deliver(Array.from({ length: 10 }, (_, i) => dossierCode(i + 1)));
      expect(signals.made()).toBe(20);
    } finally {
      signals.restore();
    }
  });
});
