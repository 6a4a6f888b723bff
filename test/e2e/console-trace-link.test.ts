// The console's timeline in headless Chromium shows the trace of a traced message, linked into the trace viewer of
// observability.traceViewerUrl (a new tab, no opener), with a real bus exporting to the OTLP collector stand-in.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { scryptPasswordHash } from '../../testkit/admin-password';
import { waitFor } from '../../testkit/env';
import { openConsoleBrowser, signInToConsole, type ConsoleBrowser } from '../../testkit/console-browser';
import { startOtlpCollector, type OtlpCollector } from '../../testkit/otlp-collector';
import { startDossierWorld, type DossierWorld } from '../../testkit/worlds/dossier-world';

const ADMIN = { username: 'vanhanh-e2e', password: 'Mật khẩu vận hành 2026' };
const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;

describe('console timeline trace link in headless Chromium', () => {
  let collector: OtlpCollector;
  let world: DossierWorld;
  let browser: ConsoleBrowser;
  let page: Page;

  beforeAll(async () => {
    collector = await startOtlpCollector();
    world = await startDossierWorld({
      transport: 'embedded',
      admins: [{ username: ADMIN.username, passwordHash: scryptPasswordHash(ADMIN.password), canViewPersonalData: false }],
      observability: { otlp: { url: collector.url, exportDelayMs: 50 }, traceViewerUrl: 'http://jaeger.example:16686/trace/{traceId}' },
    });
    browser = await openConsoleBrowser({ width: 1366, height: 768 });
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await world?.dispose();
    await collector?.close();
  });

  test('a dossier sent with a traceparent: its timeline names the trace and links it to the viewer', async () => {
    const bus = world.buses[0]!;
    const traceId = randomBytes(16).toString('hex');
    const res = await fetch(`${bus.url()}/api/v1/dossiers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${world.token}`, 'content-type': 'application/json', traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      body: JSON.stringify({ ...sample, MaHoSo: `000.00.04.H10-261127-${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}` }),
    });
    expect(res.status).toBe(202);
    const { messageId } = (await res.json()) as { messageId: string };
    await waitFor(() => collector.spans().some((s) => s.traceId === traceId && s.name === 'route dossier-sync'), 20_000, 'the delivery span');

    await signInToConsole(page, bus.url(), ADMIN);
    await page.goto(`${bus.url()}/admin/#/timeline/${messageId}`);
    const link = page.getByTestId('timeline-trace');
    await link.waitFor();
    expect(await link.textContent()).toBe(traceId);
    expect(await link.getAttribute('href')).toBe(`http://jaeger.example:16686/trace/${traceId}`);
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await page.getByTestId('timeline-traces').textContent()).toContain('Vết phân tán');
    await page.screenshot({ path: '/tmp/console-e2e-trace-link.png' });
  });
});
