// The console's traffic page and the places it used to mislead, in headless Chromium (Debian's /usr/bin/chromium via
// playwright-core) against a real bus with the dossier flow and reference simulators. A short run of traffic (dossiers
// delivered, a DVCQG outage that makes a try fail and retry, a progress DVCQG does not know that is dead-lettered, a
// refused request) is drawn at 1024 px and 1920 px in Vietnamese and English. Screenshots: /tmp/console-traffic-*.png.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { Bus } from '../../src/bus';
import { scryptPasswordHash } from '../../testkit/admin-password';
import { startDossierWorld, type DossierWorld } from '../../testkit/worlds/dossier-world';
import { waitFor } from '../../testkit/env';
import { openConsoleBrowser, signInToConsole, type ConsoleBrowser } from '../../testkit/console-browser';

const ADMIN = { username: 'vanhanh-e2e', password: 'Mật khẩu vận hành 2026' };
const SHOTS = '/tmp';
const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
const dossierCode = () => `000.00.04.H10-261127-${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
const CHARTS = ['chart-route-received', 'chart-route-delivered', 'chart-upstream-calls', 'chart-upstream-p95', 'chart-errors', 'chart-dead-letters'];

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('console traffic page and truthful views in headless Chromium', () => {
  let world: DossierWorld;
  let bus: Bus;
  let browser: ConsoleBrowser;
  let page: Page;
  let pageErrors: string[] = [];
  let delivered: string[] = [];
  let retriedId = '';
  let deadId = '';

  const call = async (method: string, url: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${bus.url()}${url}`, {
      method,
      headers: { authorization: `Bearer ${world.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const settled = (id: string) =>
    waitFor(async () => {
      const s = (await call('GET', `/api/v1/messages/${id}`)).body as { state: string };
      return ['delivered', 'rejected', 'dead-lettered'].includes(s.state) ? s : null;
    }, 40_000, `message ${id} settled`);
  const setLanguage = async (lang: 'vi' | 'en') => {
    if ((await page.getAttribute('html', 'lang')) !== lang) await page.getByTestId('lang-toggle').click();
    expect(await page.getAttribute('html', 'lang')).toBe(lang);
  };
  const signIn = () => signInToConsole(page, bus.url(), ADMIN, 'nav-traffic');
  /** Every element of the top bar lies inside it, and nothing makes the page scroll sideways. */
  const topbarFits = async () =>
    (await page.evaluate(`(() => {
      const bar = document.querySelector('[data-testid="topbar"]').getBoundingClientRect();
      const parts = [...document.querySelectorAll('[data-testid="topbar"] a, [data-testid="topbar"] button, [data-testid="topbar"] .brand, [data-testid="topbar"] .who')]
        .filter((node) => !node.hidden && node.offsetParent !== null);
      const outside = parts
        .filter((node) => { const r = node.getBoundingClientRect(); return r.right > bar.right + 0.5 || r.bottom > bar.bottom + 0.5 || r.left < bar.left - 0.5 || r.top < bar.top - 0.5; })
        .map((node) => node.textContent);
      // Clipped: an element cut short inside its own box (the admin's name and the personal-data switch hidden by an ellipsis).
      const clipped = [...document.querySelectorAll('[data-testid="topbar"] *')]
        .filter((node) => node.offsetParent !== null && node.scrollWidth > node.clientWidth + 1 && node.clientWidth > 0)
        .map((node) => node.textContent);
      return { outside, clipped, count: parts.length, scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, barScroll: document.querySelector('[data-testid="topbar"]').scrollWidth - bar.width };
    })()`)) as { outside: string[]; clipped: string[]; count: number; scrollWidth: number; innerWidth: number; barScroll: number };

  beforeAll(async () => {
    world = await startDossierWorld({
      transport: 'embedded',
      // With the personal-data right: the top bar then carries its switch too, the longest bar an admin sees.
      admins: [{ username: ADMIN.username, passwordHash: scryptPasswordHash(ADMIN.password), canViewPersonalData: true }],
      // Checkpoints rarely: the verification page always has records verified by hash but not yet signed to explain.
      audit: { checkpointIntervalMs: 3_600_000, checkpointEveryRecords: 1_000_000 },
    });
    bus = world.buses[0]!;

    // The short run: dossiers delivered …
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(String((await call('POST', '/api/v1/dossiers', { ...sample, MaHoSo: dossierCode() })).body.messageId));
    for (const id of ids) expect((await settled(id)).state).toBe('delivered');
    delivered = ids;
    // … one through a DVCQG outage: a try fails, is retried, then delivered …
    world.dvcqg.control.setFault({ mode: 'refuse', durationMs: 2500 });
    retriedId = String((await call('POST', '/api/v1/dossiers', { ...sample, MaHoSo: dossierCode() })).body.messageId);
    expect((await settled(retriedId)).state).toBe('delivered');
    world.dvcqg.control.setFault({ mode: 'none' });
    // … a progress for a dossier DVCQG does not know: dead-lettered (DOSSIER_NOT_FOUND) …
    const late = dossierCode();
    const progress = await call('POST', `/api/v1/dossiers/${late}/progress`, { MaHoSo: late, TrangThaiHoSo: 'DangXuLy', NguoiXuLy: 'Nguyễn Thị Hoà', NoiDungXuLy: 'Chuyển phòng chuyên môn', ThoiGianXuLy: '2026-11-27T10:00:00+07:00' });
    deadId = String(progress.body.messageId);
    expect((await settled(deadId)).state).toBe('dead-lettered');
    // … and a refused submission.
    expect((await call('POST', '/api/v1/dossiers', { ...sample, MaHoSo: '' })).status).toBe(400);

    browser = await openConsoleBrowser({ width: 1024, height: 768 });
    page = browser.page;
    pageErrors = browser.pageErrors;
    await signIn();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await world?.dispose();
  });

  test.each([
    ['vi', 1024],
    ['en', 1024],
    ['vi', 1920],
    ['en', 1920],
  ] as const)('the traffic page draws the short run (%s, %i px), and the top bar fits', async (lang, width) => {
    await page.setViewportSize({ width, height: 900 });
    await setLanguage(lang);
    await page.getByTestId('nav-traffic').click();
    await page.getByTestId('traffic-totals').waitFor();
    const total = async (key: string) => Number(await page.getByTestId(`traffic-total-${key}`).getAttribute('data-value'));
    expect(await total('received')).toBeGreaterThanOrEqual(7);
    expect(await total('delivered')).toBeGreaterThanOrEqual(6);
    expect(await total('failed')).toBeGreaterThanOrEqual(1);
    expect(await total('refused')).toBeGreaterThanOrEqual(1);
    expect(await total('deadLetters')).toBe(1);
    for (const chart of CHARTS) {
      const figure = page.getByTestId(chart);
      expect({ chart, drawn: Number(await figure.getAttribute('data-series-drawn')) }).toEqual({ chart, drawn: expect.any(Number) });
      expect({ chart, drawn: Number(await figure.getAttribute('data-series-drawn')) > 0 }).toEqual({ chart, drawn: true });
      const lengths = await figure.locator('path.chart-line, circle.chart-dot').evaluateAll((nodes) => nodes.map((n) => (n.tagName === 'circle' ? 1 : (n.getAttribute('d') ?? '').length)));
      expect(lengths.some((n) => n > 0)).toBe(true);
      const box = await figure.locator('svg').boundingBox();
      expect(box!.width).toBeGreaterThan(200);
      expect(box!.height).toBeGreaterThan(100);
    }
    // The upstreams the run called, by their operator names, with latency percentiles.
    const dvcqg = page.locator('[data-testid="traffic-upstream"][data-upstream="dvcqg"]');
    expect(await dvcqg.textContent()).toContain('Cổng Dịch vụ công quốc gia (DVCQG)');
    expect(await page.getByTestId('chart-upstream-calls').textContent()).toContain('Cổng Dịch vụ công quốc gia (DVCQG)');
    expect(Number(await page.getByTestId('chart-upstream-p95').getAttribute('data-points'))).toBeGreaterThan(0);
    expect(await page.getByTestId('chart-breakers').locator('rect[data-state]').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('traffic-error-codes').textContent()).toMatch(/[A-Z_]{4,}/);
    expect(await page.getByTestId('traffic-refusal-codes').textContent()).toContain('VALIDATION_FAILED');
    expect(await page.getByTestId('traffic').locator('h1').textContent()).toBe(lang === 'vi' ? 'Lưu lượng của trục' : 'Traffic through the bus');

    const fits = await topbarFits();
    expect(fits.outside).toEqual([]);
    expect(fits.clipped).toEqual([]);
    expect(await page.getByTestId('toggle-personal-data').isVisible()).toBe(true);
    expect(fits.count).toBeGreaterThanOrEqual(10); // brand, seven views, who, language, sign-out
    expect(fits.barScroll).toBeLessThanOrEqual(0.5);
    expect(fits.scrollWidth).toBeLessThanOrEqual(fits.innerWidth);
    const shot = await page.screenshot({ path: path.join(SHOTS, `console-traffic-${lang}-${width}.png`), fullPage: true });
    expect(pngSize(shot).width).toBe(width); // nothing wider than the screen
    expect(pngSize(shot).height).toBeGreaterThan(600);
    expect(pageErrors).toEqual([]);
  });

  test("search shows the newest first, without the console's own reads, and a retried row is not a green success", async () => {
    await page.setViewportSize({ width: 1366, height: 900 });
    await setLanguage('en');
    // Reads of the console's own to hide.
    for (const view of ['breakers', 'waiting', 'traffic', 'dead-letters']) {
      await page.getByTestId(`nav-${view}`).click();
      await page.getByTestId('main').locator('table, .empty, [data-testid="traffic-totals"]').first().waitFor();
    }
    await page.getByTestId('nav-search').click();
    await page.getByTestId('search-submit').click();
    await page.locator('[data-testid="search-row"]').first().waitFor();
    const steps = await page.locator('[data-testid="search-row"] [data-testid="record-step"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-step')));
    expect(steps.length).toBeGreaterThan(10);
    for (const read of ['admin.breakers', 'admin.waiting', 'admin.traffic', 'admin.dead-letters', 'admin.search']) expect(steps).not.toContain(read);
    const times = await page.locator('[data-testid="search-row"] time').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('datetime') ?? ''));
    expect(times).toEqual([...times].sort().reverse());
    expect(await page.getByTestId('search-count').textContent()).toContain('newest first');
    // Asked for, they are there.
    await page.getByTestId('search-include-admin-reads').check();
    await page.getByTestId('search-submit').click();
    await page.locator('[data-testid="search-row"] [data-testid="record-step"][data-step="admin.breakers"]').first().waitFor();
    await page.getByTestId('search-include-admin-reads').uncheck();

    await page.getByTestId('search-messageId').fill(retriedId);
    await page.getByTestId('search-step').fill('retried');
    await page.getByTestId('search-submit').click();
    const row = page.locator('[data-testid="search-row"]').first();
    await row.waitFor();
    const badge = row.getByTestId('record-outcome');
    expect(await badge.getAttribute('data-state')).toBe('retry');
    expect(await badge.textContent()).toBe('Will retry');
    expect(await badge.getAttribute('class')).not.toContain('badge-outcome-ok');
    expect(await row.getByTestId('record-step').textContent()).toBe('Retry scheduled');
    expect(pageErrors).toEqual([]);
  });

  test('a timeline names the enricher of each enriched row, and the Vietnamese console translates steps, reasons and Seq', async () => {
    await setLanguage('vi');
    await page.goto(`${bus.url()}/admin/#/timeline/${delivered[0]}`);
    await page.locator('[data-testid="timeline-state"][data-state="delivered"]').waitFor();
    const enriched = page.locator('[data-testid="timeline-record"][data-step="enriched"] [data-testid="record-step"]');
    const stages = await enriched.evaluateAll((nodes) => nodes.map((n) => [n.getAttribute('data-stage'), n.textContent]));
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(new Set(stages.map(([stage]) => stage)).size).toBe(stages.length); // each says which enricher ran
    for (const [stage, shown] of stages) {
      expect(stage).toBeTruthy();
      expect(shown).toBe(`Bổ sung dữ liệu: ${stage}`);
    }
    const headers = await page.getByTestId('timeline-records').locator('th').allTextContents();
    expect(headers).toContain('Số thứ tự');
    expect(headers.join(' ')).not.toMatch(/\bSeq\b/);
    const received = page.locator('[data-testid="timeline-record"][data-step="received"] [data-testid="record-step"]');
    expect(await received.first().textContent()).toBe('Tiếp nhận');

    await page.getByTestId('nav-dead-letters').click();
    const letter = page.locator(`[data-testid="dl-row"][data-message-id="${deadId}"]`);
    await letter.waitFor();
    expect(await letter.getByTestId('reason-translated').textContent()).toBe('DVCQG không tìm thấy hồ sơ');
    await setLanguage('en');
    expect(await page.getByTestId('dl-count').textContent()).toBe('1 dead letter.');
    expect(pageErrors).toEqual([]);
  });

  test('the breakers page names each upstream as operators know it, the machine id beside it', async () => {
    await page.getByTestId('nav-breakers').click();
    const row = page.locator('[data-testid="breaker-row"][data-upstream="dvcqg"]');
    await row.waitFor();
    expect(await row.getByTestId('breaker-name').textContent()).toBe('Cổng Dịch vụ công quốc gia (DVCQG)');
    expect(await page.locator('[data-testid="breaker-row"][data-upstream="population"]').getByTestId('breaker-name').textContent()).toBe('Cơ sở dữ liệu quốc gia về dân cư');
    await page.screenshot({ path: path.join(SHOTS, 'console-traffic-breakers.png') });
  });

  test('the verification page explains records verified by hash against the seq signed', async () => {
    await page.getByTestId('nav-verification').click();
    const result = page.getByTestId('verify-result');
    await result.waitFor();
    expect(await result.getAttribute('data-ok')).toBe('true');
    const chain = page.getByTestId('verify-chain').first();
    const [lastSeq, signed] = await chain.locator('td').evaluateAll((cells) => [cells[1]!.textContent, cells[2]!.textContent]);
    expect(Number(lastSeq)).toBeGreaterThan(Number(signed === '—' ? 0 : signed));
    expect(await result.textContent()).toMatch(/^Verified \d+ records in 1 chain at /);
    const explain = page.getByTestId('verify-explain');
    expect(await explain.textContent()).toContain('"signed through seq" is the last record a signed checkpoint covers');
    expect(await explain.textContent()).toContain('every 3600 s or every 1000000 records');
    const tail = explain.getByTestId('verify-tail-explain').first();
    expect(await tail.textContent()).toMatch(new RegExp(`records seq \\d+ to ${lastSeq} verify by their hash chain but are not signed yet`));
    await setLanguage('vi');
    expect(await explain.textContent()).toContain('chưa được ký');
    await page.screenshot({ path: path.join(SHOTS, 'console-traffic-verification.png') });
    expect(pageErrors).toEqual([]);
  });
});
