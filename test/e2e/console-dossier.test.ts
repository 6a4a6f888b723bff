// The console's dossier page in headless Chromium: a real bus with the dossier flow and reference simulators, a
// dossier and two progress updates sent by a one-stop client, found by MaHoSo in the search and seen together on the
// dossier's page in acceptance order, each with its state and its audit records opened in place; personal data masked.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { Bus } from '../../src/bus';
import { scryptPasswordHash } from '../../testkit/admin-password';
import { waitFor } from '../../testkit/env';
import { openConsoleBrowser, signInToConsole, type ConsoleBrowser } from '../../testkit/console-browser';
import { startDossierWorld, type DossierWorld } from '../../testkit/worlds/dossier-world';

const ADMIN = { username: 'hoso-e2e', password: 'Mật khẩu hồ sơ 2026' };
const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
const dossierCode = () => `000.00.04.H10-261204-${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

describe('console dossier page in headless Chromium', () => {
  let world: DossierWorld;
  let bus: Bus;
  let browser: ConsoleBrowser;
  let page: Page;

  const post = async (url: string, body: unknown): Promise<string> => {
    const res = await fetch(`${bus.url()}${url}`, { method: 'POST', headers: { authorization: `Bearer ${world.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(202);
    return ((await res.json()) as { messageId: string }).messageId;
  };
  const progress = (maHoSo: string, step: number) =>
    post(`/api/v1/dossiers/${maHoSo}/progress`, { MaHoSo: maHoSo, TrangThaiHoSo: 'DangXuLy', NguoiXuLy: 'Nguyễn Thị Hoà', NoiDungXuLy: `Bước ${step}`, ThoiGianXuLy: '2026-12-04T10:00:00+07:00' });
  const attributes = (testid: string, name: string) =>
    page.locator(`[data-testid="${testid}"]`).evaluateAll((nodes, attr) => nodes.map((node) => node.getAttribute(attr)), name);

  beforeAll(async () => {
    world = await startDossierWorld({
      transport: 'embedded',
      admins: [{ username: ADMIN.username, passwordHash: scryptPasswordHash(ADMIN.password), canViewPersonalData: false }],
    });
    bus = world.buses[0]!;
    browser = await openConsoleBrowser({ width: 1366, height: 900 });
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await world?.dispose();
  });

  test('a dossier and two progress updates: found by MaHoSo, all three on its page in order, each with its records', async () => {
    const maHoSo = dossierCode();
    const ids = [await post('/api/v1/dossiers', { ...sample, MaHoSo: maHoSo }), await progress(maHoSo, 1), await progress(maHoSo, 2)];
    await waitFor(async () => {
      const res = await fetch(`${bus.url()}/api/v1/dossiers/${maHoSo}`, { headers: { authorization: `Bearer ${world.token}` } });
      const body = (await res.json()) as { messages?: { state: string }[] };
      return body.messages?.length === 3 && body.messages.every((m) => m.state === 'delivered');
    }, 30_000, `dossier ${maHoSo} delivered`);

    await signInToConsole(page, bus.url(), ADMIN);
    // From the search by MaHoSo to the dossier's page.
    await page.getByTestId('search-subject').fill(maHoSo);
    await page.getByTestId('search-submit').click();
    await page.getByTestId('open-dossier').click();
    await page.locator('[data-testid="dossier-message"]').nth(2).waitFor();
    expect(page.url()).toContain(`#/dossiers/${encodeURIComponent(maHoSo)}`);

    expect(await attributes('dossier-message', 'data-message-id')).toEqual(ids);
    expect(await attributes('dossier-message', 'data-kind')).toEqual(['submission', 'progress', 'progress']);
    expect(await attributes('dossier-message', 'data-state')).toEqual(['delivered', 'delivered', 'delivered']);
    expect(await page.locator('[data-testid="dossier-kind"]').allTextContents()).toEqual(['Nộp hồ sơ', 'Cập nhật tiến độ', 'Cập nhật tiến độ']);
    expect(await page.getByTestId('dossier-acknowledged').locator('a').getAttribute('title')).toBe(ids[2]);
    expect(await page.getByTestId('dossier-pending').textContent()).toBe('Không còn thông điệp nào đang chờ');

    // A message's audit records open in place, under that message only.
    expect(await page.locator('[data-testid="dossier-record"]').count()).toBe(0);
    await page.locator('[data-testid="dossier-toggle-records"]').nth(1).click();
    const opened = page.locator('[data-testid="dossier-message-records"]');
    await opened.waitFor();
    expect(await opened.getAttribute('data-message-id')).toBe(ids[1]);
    const steps = await opened.locator('[data-testid="dossier-record"]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-step')));
    expect(steps[0]).toBe('received');
    expect(steps).toContain('delivered');
    await page.screenshot({ path: '/tmp/console-e2e-dossier.png', fullPage: true });

    // Personal data stays masked on the page for an admin without the right.
    const shown = await page.getByTestId('dossier').textContent();
    for (const value of [String(sample.SoDinhDanh), String(sample.ChuHoSo)]) expect(shown).not.toContain(value);

    // The address alone opens the page too, and the message links lead to each message's own timeline.
    await page.goto(`${bus.url()}/admin/#/dossiers/${encodeURIComponent(maHoSo)}`);
    await page.reload();
    await page.locator('[data-testid="dossier-message"]').nth(2).waitFor();
    expect(await attributes('dossier-message', 'data-message-id')).toEqual(ids);
    await page.locator('[data-testid="open-timeline"]').first().click();
    await page.getByTestId('timeline-state').waitFor();
    expect(page.url()).toContain(`#/timeline/${ids[0]}`);
    expect(browser.pageErrors).toEqual([]);
  });
});
