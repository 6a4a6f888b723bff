// The admin console in Debian's Chromium for end-to-end tests: a fresh profile per browser, the flags the machine
// needs (headless, no sandbox, no GPU, nothing fetched in the background), page errors and CSP refusals collected.
// playwright-core drives /usr/bin/chromium and never downloads a browser of its own.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface ConsoleBrowser {
  page: Page;
  /** Uncaught page errors and Content-Security-Policy refusals seen so far: a clean console shows none. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openConsoleBrowser(viewport: { width: number; height: number }): Promise<ConsoleBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`);
  const profile = mkdtempSync(path.join(tmpdir(), 'lgsp-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport, locale: 'vi-VN' });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) pageErrors.push(message.text());
  });
  return {
    page,
    pageErrors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in on a fresh console session and waits for `landing` (a data-testid the signed-in console shows). */
export async function signInToConsole(page: Page, busUrl: string, admin: { username: string; password: string }, landing = 'nav-search'): Promise<void> {
  await page.goto(`${busUrl}/admin/`);
  await page.evaluate('sessionStorage.clear()');
  await page.reload();
  await page.getByTestId('signin-username').fill(admin.username);
  await page.getByTestId('signin-password').fill(admin.password);
  await page.getByTestId('signin-submit').click();
  await page.getByTestId(landing).waitFor();
}
