// The admin console (/admin) end to end in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core,
// which never downloads a browser): a real bus with the dossier flow and reference simulators, a real admin sign-in,
// search by MaHoSo, the timeline, a real dead letter (DVCQG answers DOSSIER_NOT_FOUND) replayed from the console and
// seen delivered. Nothing is stubbed. Screenshots go to /tmp/console-e2e-*.png.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { Bus } from '../../src/bus';
import { scryptPasswordHash } from '../../testkit/admin-password';
import { startDossierWorld, type DossierWorld } from '../../testkit/worlds/dossier-world';
import { waitFor } from '../../testkit/env';
import { openConsoleBrowser, signInToConsole, type ConsoleBrowser } from '../../testkit/console-browser';

const ADMIN = { username: 'quantri-e2e', password: 'Mật khẩu thử nghiệm 2026' };
/** An admin who holds the personal-data right. */
const PII_ADMIN = { username: 'thanhtra-e2e', password: 'Mật khẩu thanh tra 2026' };
const SHOTS = '/tmp';

const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
const dossierCode = () => `000.00.04.H10-261127-${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

interface Status {
  messageId: string;
  state: string;
  code: string | null;
}

describe('admin console in headless Chromium', () => {
  let world: DossierWorld;
  let bus: Bus;
  let browser: ConsoleBrowser;
  let page: Page;
  let pageErrors: string[] = [];

  const call = async (method: string, url: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${bus.url()}${url}`, {
      method,
      headers: { authorization: `Bearer ${world.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const statusOf = async (id: string) => (await call('GET', `/api/v1/messages/${id}`)).body as unknown as Status;
  const settled = (id: string, states = ['delivered', 'rejected', 'dead-lettered']) =>
    waitFor(async () => {
      const s = await statusOf(id);
      return states.includes(s.state) ? s : null;
    }, 30_000, `message ${id} in ${states.join('/')}`);
  const stepsShown = async () => Promise.all((await page.locator('[data-testid="timeline-record"]').all()).map((row) => row.getAttribute('data-step')));
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `console-e2e-${name}.png`), fullPage: false });
  const signInAs = (admin: { username: string; password: string }) => signInToConsole(page, bus.url(), admin);

  beforeAll(async () => {
    world = await startDossierWorld({
      transport: 'embedded',
      admins: [
        { username: ADMIN.username, passwordHash: scryptPasswordHash(ADMIN.password), canViewPersonalData: false },
        { username: PII_ADMIN.username, passwordHash: scryptPasswordHash(PII_ADMIN.password), canViewPersonalData: true },
      ],
    });
    bus = world.buses[0]!;
    browser = await openConsoleBrowser({ width: 1366, height: 768 });
    page = browser.page;
    pageErrors = browser.pageErrors;
  });

  afterAll(async () => {
    await browser?.close();
    await world?.dispose();
  });

  test('the bus serves the console at /admin with a strict CSP and no framing', async () => {
    const redirect = await fetch(`${bus.url()}/admin`, { redirect: 'manual' });
    expect([301, 302, 308]).toContain(redirect.status);
    expect(redirect.headers.get('location')).toBe('/admin/');
    const res = await fetch(`${bus.url()}/admin/`);
    if (res.status === 404) throw new Error('the bus does not serve /admin: mount adminConsoleRouter() in src/gateway/app.ts');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i); // no inline script
    // app.js and the modules it imports (core/, views/) are same-origin scripts with a JavaScript type.
    for (const module of ['app.js', 'core/api.js', 'views/sign-in.js']) {
      const js = await fetch(`${bus.url()}/admin/${module}`);
      expect(js.headers.get('content-type')).toMatch(/javascript/);
      expect(js.headers.get('content-security-policy')).toBe(csp);
    }
  });

  test('sign in, find a dossier by MaHoSo, open its timeline, replay a dead letter and see it delivered', async () => {
    // A dossier DVCQG receives: found by its MaHoSo in the console.
    const delivered = dossierCode();
    const submitted = await call('POST', '/api/v1/dossiers', { ...sample, MaHoSo: delivered });
    expect(submitted.status).toBe(202);
    const submittedId = String(submitted.body.messageId);
    expect((await settled(submittedId)).state).toBe('delivered');

    // Progress for a dossier DVCQG does not know: DOSSIER_NOT_FOUND is not transient, so it is dead-lettered.
    const late = dossierCode();
    const progress = await call('POST', `/api/v1/dossiers/${late}/progress`, {
      MaHoSo: late,
      TrangThaiHoSo: 'DangXuLy',
      NguoiXuLy: 'Nguyễn Thị Hoà',
      NoiDungXuLy: 'Chuyển phòng chuyên môn',
      ThoiGianXuLy: '2026-11-27T10:00:00+07:00',
    });
    expect(progress.status).toBe(202);
    const progressId = String(progress.body.messageId);
    expect(await settled(progressId)).toMatchObject({ state: 'dead-lettered', code: 'DOSSIER_NOT_FOUND' });
    // Now the dossier reaches DVCQG, so the replayed progress will be accepted.
    const lateDossier = await call('POST', '/api/v1/dossiers', { ...sample, MaHoSo: late });
    expect((await settled(String(lateDossier.body.messageId))).state).toBe('delivered');

    // Sign in (Vietnamese by default).
    await page.goto(`${bus.url()}/admin`);
    await page.getByTestId('signin-form').waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('vi');
    await shot('signin');
    await page.getByTestId('signin-username').fill(ADMIN.username);
    await page.getByTestId('signin-password').fill('sai mật khẩu');
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('signin-error').waitFor();
    await page.getByTestId('signin-password').fill(ADMIN.password);
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('nav-search').waitFor();
    expect(await page.getByTestId('who').textContent()).toContain(ADMIN.username);

    // Search by MaHoSo.
    await page.getByTestId('search-subject').fill(delivered);
    await page.getByTestId('search-submit').click();
    const rows = page.locator(`[data-testid="search-row"][data-subject="${delivered}"]`);
    await rows.first().waitFor();
    expect(await page.locator('[data-testid="search-row"]').count()).toBe(await rows.count()); // only that dossier
    await shot('search');

    // Its timeline: delivered, with the audit records oldest first.
    await rows.first().getByTestId('open-timeline').click();
    await page.locator('[data-testid="timeline-state"][data-state="delivered"]').waitFor();
    expect(await page.getByTestId('timeline-messageId').textContent()).toBe(submittedId);
    const steps = await stepsShown();
    expect(steps[0]).toBe('received');
    expect(steps).toContain('delivered');
    expect(steps.indexOf('delivered')).toBeGreaterThan(steps.indexOf('received'));
    await shot('timeline');

    // The dead letter: replay it from the console and see it delivered.
    await page.getByTestId('nav-dead-letters').click();
    const letter = page.locator(`[data-testid="dl-row"][data-message-id="${progressId}"]`);
    await letter.waitFor();
    expect(await letter.textContent()).toContain('DOSSIER_NOT_FOUND');
    await shot('dead-letters');
    await letter.getByTestId('dl-replay').click();
    const result = page.locator(`[data-testid="dl-result-item"][data-message-id="${progressId}"]`);
    await result.waitFor();
    await result.locator('[data-testid="dl-result-state"][data-state="delivered"]').waitFor({ timeout: 60_000 });
    await shot('replayed');
    expect((await statusOf(progressId)).state).toBe('delivered');
    expect(world.dvcqg.store.dossier(late)!.progress.map((p) => p.item.NoiDungXuLy)).toEqual(['Chuyển phòng chuyên môn']);
    // The replayed letter has left the list of letters waiting for replay.
    await page.locator(`[data-testid="dl-row"][data-message-id="${progressId}"]`).waitFor({ state: 'detached' });

    // Its timeline now shows the replay and the delivery.
    await result.getByRole('link').click();
    await page.locator('[data-testid="timeline-state"][data-state="delivered"]').waitFor();
    const replayedSteps = await stepsShown();
    expect(replayedSteps).toEqual(expect.arrayContaining(['dead-lettered', 'delivered']));

    // Breakers and verification.
    await page.getByTestId('nav-breakers').click();
    await page.locator('[data-testid="breaker-row"][data-upstream]').first().waitFor();
    await shot('breakers');
    await page.getByTestId('nav-verification').click();
    const verified = page.getByTestId('verify-result');
    await verified.waitFor();
    expect(await verified.getAttribute('data-ok')).toBe('true');
    expect(await verified.textContent()).toMatch(/^Đã xác minh \d+ bản ghi trong 1 chuỗi lúc /);
    await shot('verification');

    // English on demand.
    await page.getByTestId('lang-toggle').click();
    expect(await verified.textContent()).toMatch(/^Verified \d+ records in 1 chain at /);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await shot('verification-en');
    await page.getByTestId('lang-toggle').click();

    expect(pageErrors).toEqual([]);
  });

  test('an admin with the personal-data right shows it unmasked from the console; an admin without sees no switch; each view is audited', async () => {
    const submitted = await call('POST', '/api/v1/dossiers', { ...sample, MaHoSo: dossierCode() });
    const id = String(submitted.body.messageId);
    await settled(id);

    await signInAs(ADMIN);
    expect(await page.getByTestId('toggle-personal-data').count()).toBe(0);

    await signInAs(PII_ADMIN);
    await page.goto(`${bus.url()}/admin/#/timeline/${id}`);
    await page.locator('[data-testid="timeline-state"][data-state="delivered"]').waitFor();
    const unmasked = page.waitForResponse((r) => r.url().includes('/timeline?') && r.url().includes('personalData=show'));
    await page.getByTestId('toggle-personal-data').check();
    const answer = await unmasked;
    expect(answer.status()).toBe(200);
    expect(((await answer.json()) as { personalData?: string }).personalData).toBe('shown');
    await page.locator('[data-testid="timeline-state"][data-state="delivered"]').waitFor();
    await shot('personal-data-shown');

    // The view is in the audit trail, found from the console (the search itself is then unmasked too, and audited).
    await page.getByTestId('nav-search').click();
    await page.getByTestId('search-step').fill('admin.personal-data-viewed');
    await page.getByTestId('search-submit').click();
    await page.locator(`[data-testid="search-row"][data-message-id="${id}"]`).first().waitFor();
    // Signing out revokes the session at the bus and turns the switch off: the next admin starts masked.
    const token = JSON.parse(String(await page.evaluate("sessionStorage.getItem('lgsp-admin-session')"))).token as string;
    const signedOut = page.waitForResponse((r) => r.url().endsWith('/api/v1/admin/session') && r.request().method() === 'DELETE');
    await page.getByTestId('sign-out').click();
    expect((await signedOut).status()).toBe(204);
    const reused = await fetch(`${bus.url()}/api/v1/admin/breakers`, { headers: { authorization: `Bearer ${token}` } });
    expect(reused.status).toBe(401);
    expect(((await reused.json()) as { code: string }).code).toBe('SESSION_REVOKED');
    await signInAs(PII_ADMIN);
    expect(await page.getByTestId('toggle-personal-data').isChecked()).toBe(false);
    expect(pageErrors).toEqual([]);
  });

  test('a dossier waiting through a DVCQG outage is on the waiting page, with when it would reach the dead letters', async () => {
    await signInAs(ADMIN);
    world.dvcqg.control.setFault({ mode: 'refuse', durationMs: 8000 });
    const submitted = await call('POST', '/api/v1/dossiers', { ...sample, MaHoSo: dossierCode() });
    expect(submitted.status).toBe(202);
    const id = String(submitted.body.messageId);
    await page.getByTestId('nav-waiting').click();
    const row = page.locator(`[data-testid="waiting-row"][data-message-id="${id}"]`);
    await waitFor(async () => {
      await page.getByTestId('waiting-refresh').click();
      return (await row.count()) > 0;
    }, 10_000, 'the dossier on the waiting page');
    expect(await row.getAttribute('data-due-soon')).toBe('false');
    expect((await row.getByTestId('waiting-dead-letter-at').textContent())?.trim()).not.toBe('');
    await shot('waiting');
    world.dvcqg.control.setFault({ mode: 'none' });
    expect((await settled(id)).state).toBe('delivered');
    expect(pageErrors).toEqual([]);
  });

  test('every view opens from the navigation, marked as the current page, and renders its main element', async () => {
    await signInAs(ADMIN);
    const views: Array<[link: string, main: string]> = [
      ['nav-timeline', 'timeline-form'],
      ['nav-waiting', 'waiting-refresh'],
      ['nav-dead-letters', 'dl-filter'],
      ['nav-breakers', 'breakers-refresh'],
      ['nav-verification', 'verify-run'],
      ['nav-search', 'search-form'],
    ];
    for (const [link, main] of views) {
      await page.getByTestId(link).click();
      await page.locator(`[data-testid="main"] [data-testid="${main}"]`).waitFor();
      expect(await page.getByTestId(link).getAttribute('aria-current')).toBe('page');
    }
    expect(pageErrors).toEqual([]);
  });

  test('a token the bus no longer accepts sends the admin back to sign-in', async () => {
    await page.goto(`${bus.url()}/admin/#/breakers`);
    await page.evaluate("sessionStorage.setItem('lgsp-admin-session', JSON.stringify({ token: 'not-a-token', username: 'x', canViewPersonalData: false }))");
    await page.reload();
    await page.getByTestId('signin-notice').waitFor();
    expect(await page.evaluate("sessionStorage.getItem('lgsp-admin-session')")).toBeNull();
    // Signing in again lands on the view that was asked for.
    await page.getByTestId('signin-username').fill(ADMIN.username);
    await page.getByTestId('signin-password').fill(ADMIN.password);
    await page.getByTestId('signin-submit').click();
    await page.locator('[data-testid="breaker-row"]').first().waitFor();
  });
});
