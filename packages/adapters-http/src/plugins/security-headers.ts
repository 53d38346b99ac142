import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

/** CSP directives in helmet's form: `{ 'script-src': ["'self'"] }`. */
export type CspDirectives = Readonly<Record<string, readonly string[]>>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * An HTML page's own CSP directives, over `PAGE_CSP` (the API's `default-src 'none'` applies
     * otherwise). Never add `'unsafe-inline'`: serve scripts and styles as files, or use hashes.
     */
    csp?: CspDirectives;
    /** The route's security headers, computed once when it is added (set by this plugin). */
    securityHeaders?: SecurityHeaders;
  }
}

/** Header name (lower case) to value. */
type SecurityHeaders = Readonly<Record<string, string>>;

/** Every API response: nothing may load, nothing may frame it. */
export const API_CSP: CspDirectives = {
  'default-src': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/** The base of HTML pages served by this app: same-origin scripts, styles, fetches only. */
export const PAGE_CSP: CspDirectives = {
  'default-src': ["'none'"],
  'base-uri': ["'none'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
};

/**
 * Swagger UI (`/docs`): its bundle, stylesheet and the OpenAPI document, all same-origin. The
 * bundle inserts one `<style>` element: allowed by its hash (of @fastify/swagger-ui 6.1's bundle;
 * after an upgrade a changed hash only drops that style, which the CSP report names).
 */
export const DOCS_CSP: CspDirectives = {
  ...PAGE_CSP,
  'font-src': ["'self'", 'data:'],
  'form-action': ["'none'"],
  'style-src': ["'self'", "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='"],
};

/** Pages with a CSP of their own, by URL prefix; `config.csp` on a route adds to it. */
const PAGES: readonly (readonly [prefix: string, csp: CspDirectives])[] = [
  ['/docs', DOCS_CSP],
  ['/account', PAGE_CSP],
];

const mutable = (csp: CspDirectives): Record<string, string[]> =>
  Object.fromEntries(Object.entries(csp).map(([k, v]) => [k, [...v]]));

/** HSTS for 1 year (contract: at least 180 days). */
export const HSTS_MAX_AGE = 31_536_000;

const HELMET: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: mutable(API_CSP) },
  strictTransportSecurity: { maxAge: HSTS_MAX_AGE, includeSubDomains: true },
  xFrameOptions: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  xPoweredBy: false,
};

const pageCspOf = (route: RouteOptions): CspDirectives | null => {
  const url = route.url;
  const page = PAGES.find(([prefix]) => url === prefix || url.startsWith(`${prefix}/`));
  const own = route.config?.csp;
  if (!page && !own) return null;
  return { ...(page?.[1] ?? PAGE_CSP), ...own };
};

/**
 * The headers helmet sets with `options`, found once by running its middleware against a
 * response that only records them. The values depend on the options alone (no nonces), so every
 * response can get the same set, instead of building a helmet middleware per request as
 * @fastify/helmet does (tens of microseconds on every response).
 */
const helmetHeaders = (options: HelmetOptions): SecurityHeaders => {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: unknown) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  // helmet 8 throws a bad option itself; `next` gets no error.
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, () => undefined);
  return headers;
};

const withCsp = (csp: CspDirectives): SecurityHeaders =>
  helmetHeaders({
    ...HELMET,
    contentSecurityPolicy: { useDefaults: false, directives: mutable(csp) },
  });

/**
 * Security headers on every response (contract "Protection"): the API's strict CSP, a page CSP
 * where a page needs one (`/docs`, `/account`, or a route's `config.csp`), HSTS, `X-Frame-Options:
 * DENY`, nosniff, `Referrer-Policy: no-referrer`, and no `X-Powered-By`. Register before routes.
 * 404s and errors get the API's set.
 */
export const securityHeadersPlugin = fp(
  async (app: FastifyInstance) => {
    const api = withCsp(API_CSP);
    app.addHook('onRoute', (route) => {
      const csp = pageCspOf(route);
      if (csp) route.config = { ...route.config, securityHeaders: withCsp(csp) };
    });
    app.addHook('onRequest', (request, reply, done) => {
      void reply.headers(request.routeOptions.config.securityHeaders ?? api);
      done();
    });
    // Node never sends it, but a proxy or a later plugin might set it on the reply.
    app.addHook('onSend', (_request, reply, payload, done) => {
      void reply.removeHeader('x-powered-by');
      done(null, payload);
    });
  },
  { name: 'latchkey-security-headers' },
);
