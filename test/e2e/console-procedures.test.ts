// The console's procedure catalogue page in headless Chromium against a real bus and the DVCQG simulator's 1,864
// procedures: the count, the linked count, the last refresh, a search without accents, and a refresh on demand that
// shows a withdrawn procedure among the differences. Screenshot: /tmp/console-procedures.png.
import type { Page } from 'playwright-core';
import { scryptPasswordHash } from '../../testkit/admin-password';
import { startDossierWorld, type DossierWorld } from '../../testkit/worlds/dossier-world';
import { waitFor } from '../../testkit/env';
import { openConsoleBrowser, signInToConsole, type ConsoleBrowser } from '../../testkit/console-browser';
import { PROVINCE_LINKED_COUNT, PROVINCE_PROCEDURE_COUNT } from '../../testkit/simulators/dvcqg';

const ADMIN = { username: 'vanhanh-thutuc', password: 'Mật khẩu vận hành 2026' };

describe('console procedure catalogue page in headless Chromium', () => {
  let world: DossierWorld;
  let browser: ConsoleBrowser;
  let page: Page;

  beforeAll(async () => {
    world = await startDossierWorld({
      transport: 'embedded',
      admins: [{ username: ADMIN.username, passwordHash: scryptPasswordHash(ADMIN.password), canViewPersonalData: false }],
    });
    await waitFor(
      async () => (await fetch(`${world.buses[0]!.url()}/api/v1/procedures?limit=1`, { headers: { authorization: `Bearer ${world.token}` } })).status === 200,
      60_000,
      'a first copy of the catalogue',
    );
    browser = await openConsoleBrowser({ width: 1280, height: 900 });
    page = browser.page;
  });
  afterAll(async () => {
    await browser?.close();
    await world?.dispose();
  });

  test('count, linked count, last refresh, search without accents, and a withdrawn procedure after a refresh', async () => {
    await signInToConsole(page, world.buses[0]!.url(), ADMIN);
    await page.getByTestId('nav-procedures').click();
    await page.getByTestId('procedures-summary').waitFor();
    expect(await page.getByTestId('procedures-count').textContent()).toBe(String(PROVINCE_PROCEDURE_COUNT));
    expect(await page.getByTestId('procedures-linked').textContent()).toBe(String(PROVINCE_LINKED_COUNT));
    expect(await page.getByTestId('procedures-refreshed-at').textContent()).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);

    await page.getByTestId('procedures-q').fill('dang ky khai sinh');
    await page.getByTestId('procedures-submit').click();
    await page.locator('[data-testid="procedure-row"][data-code="1.001193"]').waitFor();
    expect(await page.locator('[data-testid="procedure-row"][data-code="1.001193"]').textContent()).toContain('Thủ tục đăng ký khai sinh');
    await page.screenshot({ path: '/tmp/console-procedures.png' });

    const removed = world.dvcqg.catalogue.find('1.000689')!;
    world.dvcqg.catalogue.withdraw('1.000689');
    try {
      await page.getByTestId('procedures-refresh').click();
      await page.getByTestId('procedures-refresh-notice').waitFor();
      await waitFor(async () => (await page.getByTestId('procedures-withdrawn').textContent())?.includes('1.000689') ?? false, 20_000, 'the withdrawn code on the page');
      expect(await page.getByTestId('procedures-count').textContent()).toBe(String(PROVINCE_PROCEDURE_COUNT - 1));
    } finally {
      world.dvcqg.catalogue.add(removed);
    }
    expect(browser.pageErrors).toEqual([]);
  });
});
