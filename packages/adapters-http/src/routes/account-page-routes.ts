import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/** The page's own policy: its own scripts, styles and API calls, nothing inline, never framed. */
export const ACCOUNT_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "object-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

// Static files next to src/ and dist/ (`public/account/`), read once: no build step, no
// directory listing, nothing served but these three.
const ROOT = new URL('../../public/account/', import.meta.url);
const FILES = {
  html: { file: 'index.html', type: 'text/html; charset=utf-8' },
  script: { file: 'account.js', type: 'text/javascript; charset=utf-8' },
  style: { file: 'account.css', type: 'text/css; charset=utf-8' },
} as const;

const TAGS = ['Account page'];

/**
 * `GET /account`: the account web page (sign in with a password or a provider, profile,
 * providers, password, sessions, sign out), and `/account/reset-password?token=…`, the form the
 * reset mail links to. Both serve the same page; its script shows what the path asks for.
 */
export const accountPageRoutes: FastifyPluginAsync = async (app) => {
  const load = (name: keyof typeof FILES) => ({
    body: readFileSync(new URL(FILES[name].file, ROOT)),
    type: FILES[name].type,
  });
  const html = load('html');
  const script = load('script');
  const style = load('style');

  const serve =
    (file: { body: Buffer; type: string }, cache: string) =>
    async (_request: unknown, reply: FastifyReply) =>
      reply
        .header('content-type', file.type)
        .header('content-security-policy', ACCOUNT_PAGE_CSP)
        .header('cache-control', cache)
        .header('x-content-type-options', 'nosniff')
        .send(file.body);

  const page = {
    schema: { summary: 'The account web page', tags: TAGS, hide: true },
  };
  // no-store: the page may be opened with a link or reset token in its URL.
  app.get('/account', page, serve(html, 'no-store'));
  app.get('/account/reset-password', page, serve(html, 'no-store'));
  app.get('/account/assets/account.js', page, serve(script, 'no-cache'));
  app.get('/account/assets/account.css', page, serve(style, 'no-cache'));
};
