// The console's static files, index.html and every ES module under ui/ (core/, views/), are served under /admin with
// a JavaScript type, the console's CSP and no-cache; each module the browser would import from app.js is there.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { ADMIN_CONSOLE_CSP, adminConsoleRouter, adminUiDirectory } from '../../../src/http/console/console-router';

const UI = adminUiDirectory();
const app = express().use(adminConsoleRouter());

/** Paths under ui/, '/'-separated, of every file in it and its subfolders. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

/** The modules the browser loads from index.html's entry: app.js and, transitively, every static import. */
function moduleGraph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(path.join(UI, file), 'utf8');
    for (const [, specifier] of source.matchAll(/^import\s[^;]*?from\s+'([^']+)';/gms)) {
      visit(path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier!)));
    }
  };
  visit(entry);
  return [...seen].sort();
}

test('every module under ui/ is served with a JavaScript type, the console CSP, nosniff and no-cache', async () => {
  const modules = filesUnder(UI).filter((file) => file.endsWith('.js'));
  expect(modules).toEqual(expect.arrayContaining(['app.js', 'i18n.js']));
  expect(modules.some((file) => file.startsWith('core/'))).toBe(true);
  expect(modules.some((file) => file.startsWith('views/'))).toBe(true);
  for (const file of modules) {
    const res = await request(app).get(`/admin/${file}`);
    expect({ file, status: res.status }).toEqual({ file, status: 200 });
    expect(res.headers['content-type']).toMatch(/^(text|application)\/javascript\b/);
    expect(res.headers['content-security-policy']).toBe(ADMIN_CONSOLE_CSP);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-cache');
  }
  // Module scripts are same-origin files: script-src 'self' allows them, and nothing inline.
  expect(ADMIN_CONSOLE_CSP).toContain("script-src 'self'");
});

test("index.html loads app.js as a module, and app.js's imports reach only files the router serves", async () => {
  const html = readFileSync(path.join(UI, 'index.html'), 'utf8');
  expect(html).toContain('<script type="module" src="/admin/app.js"></script>');
  const graph = moduleGraph('app.js');
  expect(graph).toEqual(expect.arrayContaining(['app.js', 'i18n.js', 'core/api.js', 'views/sign-in.js']));
  for (const file of graph) expect({ file, status: (await request(app).get(`/admin/${file}`)).status }).toEqual({ file, status: 200 });
});

test('a folder of the console is no listing, and nothing outside ui/ is reachable', async () => {
  expect((await request(app).get('/admin/core/')).status).toBe(404);
  expect((await request(app).get('/admin/views')).status).toBe(404);
  expect((await request(app).get('/admin/core/../../console-router.ts')).status).toBe(404);
  expect((await request(app).get('/admin/%2e%2e/console-router.ts')).status).toBe(404);
});
