// The province's procedure list at intake: with flows.dossier.catalogue.refuseUnknownAtIntake (on by default) a dossier whose MaTTHC
// DVCQG does not list is refused at the door (400 PROCEDURE_UNKNOWN) on the bus's API and on the DVCQG-compatible face,
// and the last good list keeps deciding while DVCQG is away.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { waitFor } from '../../../testkit/env';
import { TEST_CLIENT } from '../../../testkit/bus-process';
import { startDossierWorld, type DossierWorld } from '../../../testkit/worlds/dossier-world';

const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
const ACCOUNT = { username: 'motcua-opencps', password: 'mật-khẩu-danh-mục' } as const;
let counter = 0;
const dossierCode = () => `000.00.04.H10-261204-${String(++counter + Math.floor(Math.random() * 1e6)).padStart(7, '0')}`;

describe('procedure catalogue at intake (embedded transport)', () => {
  let world: DossierWorld;
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });

  beforeAll(async () => {
    world = await startDossierWorld({
      transport: 'embedded',
      log: { level: 'info', sink },
      dossier: {
        catalogue: { refreshIntervalMs: 1000, refuseUnknownAtIntake: true },
        dvcqgCompat: { accounts: [{ username: ACCOUNT.username, password: { value: ACCOUNT.password }, client: TEST_CLIENT }] },
      },
    });
  });
  afterAll(async () => world?.dispose());

  const submit = (body: Record<string, unknown>) =>
    request(world.buses[0]!.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).send(body);
  const refreshed = () => logLines.filter((line) => line.includes('procedure catalogue refreshed')).length;
  const failedRefreshes = () => logLines.filter((line) => line.includes('procedure catalogue refresh failed')).length;

  test('an unknown procedure is refused at the door, a listed one accepted, and the list decides while DVCQG is away', async () => {
    await waitFor(() => refreshed() > 0, 60_000, 'a first copy of the list');
    const unknown = await submit({ ...sample, MaHoSo: dossierCode(), MaTTHC: '9.999999' }).expect(400);
    expect(unknown.body).toMatchObject({ code: 'PROCEDURE_UNKNOWN', details: [{ field: '/MaTTHC' }] });
    await submit({ ...sample, MaHoSo: dossierCode() }).expect(202);

    // The compatible face refuses the same way, naming the item.
    const face = `${world.buses[0]!.url()}/compat/dvcqg`;
    const login = await request(face).post('/auth').send(ACCOUNT).expect(200);
    const item = { MaHoSo: dossierCode(), MaTTHC: '9.999999', LoaiDoiTuong: '2', MaDoiTuong: '0101234567', ChuHoSo: 'Công ty A', TrichYeuHoSo: 'x', NgayTiepNhan: '20261204090000', NgayHenTra: '20261207170000', TrangThaiHoSo: '2', HinhThuc: '0', DonViXuLy: 'UBND', MaLinhVuc: 'HT', TenTTHC: 'x' };
    const viaFace = await request(face).post('/integration').send({ session: login.body.session, madonvi: 'm', service: 'DongBoHoSoMC', data: [item] }).expect(400);
    expect(viaFace.body).toMatchObject({ error_code: 'PROCEDURE_UNKNOWN', field: '/data/0/MaTTHC' });

    await request(world.dvcqg.url).post('/__sim/fault').send({ mode: 'fail', status: 503, durationMs: 60_000 }).expect(200);
    try {
      const failuresBefore = failedRefreshes();
      await waitFor(() => failedRefreshes() > failuresBefore, 20_000, 'a refresh while DVCQG is away');
      await submit({ ...sample, MaHoSo: dossierCode(), MaTTHC: '9.999999' }).expect(400);
      await submit({ ...sample, MaHoSo: dossierCode() }).expect(202);
    } finally {
      await request(world.dvcqg.url).post('/__sim/fault').send({ mode: 'none' }).expect(200);
    }
  });
});
