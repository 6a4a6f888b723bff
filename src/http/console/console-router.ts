// The admin console (/admin): static files and ES modules from src/http/console/ui and its subfolders (no build step),
// served with a strict CSP. It only talks to the admin API (/api/v1/admin/*) of the same bus with the token from
// POST /api/v1/admin/session.
import { repoFile } from '../../core/repo-files';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';

/** Where the console's static files are: src/http/console/ui in the tree, from sources or dist/ (tsc copies no HTML). */
export function adminUiDirectory(): string {
  return repoFile('src', 'http', 'console', 'ui');
}

/**
 * No inline script or style, nothing from elsewhere (the console's module scripts are same-origin files, allowed by
 * 'self'), never framed; the console only calls its own bus.
 */
export const ADMIN_CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', ADMIN_CONSOLE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  // Small files, and a new deployment must never run its new app.js against stale modules (or the reverse).
  res.setHeader('Cache-Control', 'no-cache');
  next();
}

/**
 * Serves the console under /admin (paths include the prefix): mount it on the app's root, before the 404 handler,
 * with `app.use(adminConsoleRouter())`. GET /admin redirects to /admin/ so relative URLs resolve.
 */
export function adminConsoleRouter(directory: string = adminUiDirectory()): Router {
  const router = express.Router({ strict: true });
  router.get('/admin', (req: Request, res: Response) => {
    const query = req.originalUrl.indexOf('?');
    res.redirect(301, `/admin/${query >= 0 ? req.originalUrl.slice(query) : ''}`);
  });
  router.use(
    '/admin',
    securityHeaders,
    express.static(directory, { index: 'index.html', redirect: false, dotfiles: 'ignore', fallthrough: true, etag: true }),
  );
  return router;
}
