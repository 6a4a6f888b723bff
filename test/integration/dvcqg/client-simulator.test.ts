// Integration tests: the DVCQG client against the reference simulator over a real socket.
import { DvcqgClient, DvcqgError, toDongBoHoSoItem, toTienDoHoSoItem, type DvcqgClientConfig } from '../../../src/upstreams/dvcqg';
import { DEFAULT_SIMULATOR_CREDENTIALS, startDvcqgSimulator, type DvcqgSimulator, type StoredDossier } from '../../../testkit/simulators/dvcqg';
import { birthRegistration, birthRegistrationProgress, marriageStatusNfd } from '../../fixtures/dvcqg/load-fixtures';
import { caught as caughtOf } from '../../../testkit/caught';

const postJson = (url: string, body: object) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const rejection = (promise: Promise<unknown>): Promise<DvcqgError> => caughtOf(promise, DvcqgError);

describe('DVCQG client ↔ simulator', () => {
  let sim: DvcqgSimulator;
  let config: DvcqgClientConfig;

  const heldDossier = async (maHoSo: string): Promise<StoredDossier> =>
    (await (await fetch(`${sim.url}/__sim/dossiers/${encodeURIComponent(maHoSo)}`)).json()) as StoredDossier;
  const setFault = (body: object) => postJson(`${sim.url}/__sim/fault`, body);
  const logins = () => sim.control.received('login').length;

  beforeEach(async () => {
    sim = await startDvcqgSimulator({ port: 0, sessionTtlMs: 60_000 });
    config = { baseUrl: sim.url, ...DEFAULT_SIMULATOR_CREDENTIALS, madonvi: '000.00.04.H40', dstcode: 'DVCQG', timeoutMs: 10_000 };
  });
  afterEach(async () => {
    await sim.close();
  });

  it('tells whether DVCQG already holds a dossier item or a progress item (for calls whose answer was lost)', async () => {
    const client = new DvcqgClient(config);
    const procedure = await client.getProcedure('1.001193');
    const item = toDongBoHoSoItem(birthRegistration(), { procedure });
    const progress = toTienDoHoSoItem(birthRegistrationProgress()[0]!);

    await expect(client.holdsDossier(item)).resolves.toBe(false);
    await client.syncDossier(item);
    await expect(client.holdsDossier(item)).resolves.toBe(true);
    await expect(client.holdsDossier({ ...item, TrichYeuHoSo: `${item.TrichYeuHoSo} (sửa)` })).resolves.toBe(false);

    await expect(client.holdsProgress(progress)).resolves.toBe(false);
    await client.updateProgress(progress);
    await expect(client.holdsProgress(progress)).resolves.toBe(true);
    await expect(client.holdsProgress({ ...progress, NoiDungXuLy: `${progress.NoiDungXuLy} lần 2` })).resolves.toBe(false);
  });

  it('lose-answer: the simulator applies the call and cuts the connection before the answer', async () => {
    const client = new DvcqgClient(config);
    const procedure = await client.getProcedure('1.001193');
    const item = toDongBoHoSoItem(birthRegistration(), { procedure });
    await client.syncDossier(item);
    const progress = toTienDoHoSoItem(birthRegistrationProgress()[0]!);
    await setFault({ mode: 'lose-answer', durationMs: 60_000 });
    const failure = await rejection(client.updateProgress(progress));
    expect(failure.transient).toBe(true);
    await setFault({ mode: 'none' });
    expect((await heldDossier(item.MaHoSo)).progress).toHaveLength(1);
    await expect(client.holdsProgress(progress)).resolves.toBe(true);
  });

  it('sends LayThuTuc and LayDanhSachTTHC to the endpoint configured for each (share by default)', async () => {
    const byDefault = new DvcqgClient(config);
    await byDefault.getProcedure('1.001193');
    await byDefault.listProcedures();
    const onIntegration = new DvcqgClient({ ...config, catalogueEndpoints: { LayThuTuc: 'integration', LayDanhSachTTHC: 'integration' } });
    await expect(onIntegration.getProcedure('1.001193')).resolves.toMatchObject({ MATTHC: '1.001193' });
    expect((await onIntegration.listProcedures()).length).toBeGreaterThan(1);
    const paths = sim.control.received().filter((r) => r.operation.startsWith('Lay')).map((r) => `${r.operation} ${r.path}`);
    expect(paths).toEqual(['LayThuTuc /share', 'LayDanhSachTTHC /share', 'LayThuTuc /integration', 'LayDanhSachTTHC /integration']);
  });

  it('logs in once, syncs a new dossier, then syncs it again as an update', async () => {
    const client = new DvcqgClient(config);
    const procedure = await client.getProcedure('1.001193');
    expect(procedure?.TENTTHC).toBe('Thủ tục đăng ký khai sinh');
    const item = toDongBoHoSoItem(birthRegistration(), { procedure });

    await expect(client.syncDossier(item)).resolves.toEqual({ isUpdating: false });
    await expect(client.syncDossier({ ...item, TrangThaiHoSo: '4' })).resolves.toEqual({ isUpdating: true });

    expect(logins()).toBe(1);
    const held = await heldDossier(item.MaHoSo);
    expect(held.syncCount).toBe(2);
    expect(held.syncs.map((s) => s.isUpdating)).toEqual([false, true]);
    expect(held.current.TrangThaiHoSo).toBe('4');

    const sent = sim.control.received('DongBoHoSoMC');
    expect(sent).toHaveLength(2);
    expect(sent[0].headers.dstcode).toBe('DVCQG');
    expect(sent[0].body).toMatchObject({ madonvi: '000.00.04.H40', isUpdating: 'False' });
    expect(sim.control.received('TraCuuHoSo')).toHaveLength(2);
  });

  it('sends NFC text on the wire for an NFD dossier', async () => {
    const client = new DvcqgClient(config);
    const item = toDongBoHoSoItem(marriageStatusNfd());
    await client.syncDossier(item);
    const held = await heldDossier(item.MaHoSo);
    expect(held.current.ChuHoSo).toBe('Phạm Văn Đạt');
  });

  it('records progress updates in the order they were sent, without duplicates', async () => {
    const client = new DvcqgClient(config);
    const item = toDongBoHoSoItem(birthRegistration());
    await client.syncDossier(item);
    const steps = birthRegistrationProgress().map((update) => toTienDoHoSoItem(update));
    for (const step of steps) await client.updateProgress(step);

    const held = await heldDossier(item.MaHoSo);
    expect(held.progress.map((p) => p.arrival)).toEqual([1, 2, 3]);
    expect(held.progress.map((p) => p.item.ThoiDiemXuLy)).toEqual(['20240315083000', '20240315100000', '20240318091500']);
    expect(held.progress.map((p) => p.item.TrangThai)).toEqual(['2', '4', '9']);
    expect(held.current.TrangThaiHoSo).toBe('9');
  });

  it('logs in again transparently when the server forgets the session', async () => {
    const client = new DvcqgClient(config);
    await client.syncDossier(toDongBoHoSoItem(birthRegistration()));
    sim.store.revokeSessions();
    await expect(client.syncDossier(toDongBoHoSoItem(birthRegistration()))).resolves.toEqual({ isUpdating: true });
    expect(logins()).toBe(2);
    const rejected = sim.control.received('TraCuuHoSo').length;
    expect(rejected).toBe(3); // one answered SESSION_INVALID, retried once after the new login
  });

  it('logs in again transparently when the session expires', async () => {
    await sim.close();
    sim = await startDvcqgSimulator({ port: 0, sessionTtlMs: 150 });
    const client = new DvcqgClient({ ...config, baseUrl: sim.url });
    await client.syncDossier(toDongBoHoSoItem(birthRegistration()));
    // The sleep is the behaviour under test: the session outlives its 150 ms TTL on the simulator's clock.
    await new Promise((resolve) => setTimeout(resolve, 250));
    const progress = toTienDoHoSoItem(birthRegistrationProgress()[0]);
    await expect(client.updateProgress(progress)).resolves.toBeUndefined();
    expect(logins()).toBe(2);
    expect((await heldDossier(progress.MaHoSo)).progress).toHaveLength(1);
  });

  it('reports a failing server as a transient error', async () => {
    const client = new DvcqgClient(config);
    await client.getProcedure('1.001193');
    await setFault({ mode: 'fail', durationMs: 5_000 });
    const err = await rejection(client.syncDossier(toDongBoHoSoItem(birthRegistration())));
    expect(err).toMatchObject({ status: 503, transient: true, code: 'HTTP_503' });
  });

  it('aborts a slow call promptly when the signal fires', async () => {
    const client = new DvcqgClient(config);
    await client.getProcedure('1.001193');
    await setFault({ mode: 'slow', delayMs: 5_000, durationMs: 10_000 });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const err = await rejection(client.syncDossier(toDongBoHoSoItem(birthRegistration()), { signal: controller.signal }));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(err).toMatchObject({ code: 'ABORTED', status: null, transient: true });
    await setFault({ mode: 'none' });
  });

  it('aborts promptly while waiting for a slow login too', async () => {
    await setFault({ mode: 'slow', delayMs: 3_000, durationMs: 10_000 });
    const client = new DvcqgClient(config);
    const started = Date.now();
    const err = await rejection(client.getProcedure('1.001193', { signal: AbortSignal.timeout(100) }));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(err).toMatchObject({ code: 'ABORTED', transient: true });
  });

  it('reports a refused connection as a transient network error', async () => {
    const client = new DvcqgClient({ ...config, baseUrl: 'http://127.0.0.1:1' });
    const err = await rejection(client.getProcedure('1.001193'));
    expect(err).toMatchObject({ code: 'NETWORK_ERROR', status: null, transient: true });
  });

  it('reports progress for an unknown dossier as a non-transient 404', async () => {
    const client = new DvcqgClient(config);
    const err = await rejection(client.updateProgress(toTienDoHoSoItem(birthRegistrationProgress()[0])));
    expect(err).toMatchObject({ code: 'DOSSIER_NOT_FOUND', status: 404, transient: false, field: '/data/0/MaHoSo' });
  });

  it('reports an invalid item as a non-transient 400 naming the field, not the data', async () => {
    const client = new DvcqgClient(config);
    const item = { ...toDongBoHoSoItem(birthRegistration()), NgayHenTra: '2024-03-18' };
    const err = await rejection(client.syncDossier(item));
    expect(err).toMatchObject({ code: 'INVALID_INPUT', status: 400, transient: false, field: '/data/0/NgayHenTra' });
    expect(err.message).not.toContain('Nguyễn');
  });

  it('reports wrong credentials as a non-transient error', async () => {
    const client = new DvcqgClient({ ...config, password: 'wrong' });
    const err = await rejection(client.lookupDossier('000.00.04.H40-240315-0012'));
    expect(err).toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401, transient: false });
    expect(err.message).not.toContain('wrong');
  });

  it('rejects an unknown service with UNKNOWN_SERVICE', async () => {
    const res = await postJson(`${sim.url}/integration`, { service: 'XoaHoSo' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error_code: 'UNKNOWN_SERVICE' });
  });
});
