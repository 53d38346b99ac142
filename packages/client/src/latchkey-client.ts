import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.js';

/** A user as the API returns it to its owner. */
export type User = components['schemas']['User'];
/** Any 4xx/5xx body (RFC 9457 problem details with the API's stable `code`). */
export type Problem = components['schemas']['Problem'];

/**
 * Where the refresh cookie lives:
 * - `memory` (Node, scripts, tests): this client keeps the `refresh_token` cookie itself and
 *   sends it only to `/refresh` and `/logout`;
 * - `browser`: the browser keeps the `HttpOnly` cookie (requests use `credentials: 'include'`);
 *   the client never sees it.
 */
export type CookieMode = 'memory' | 'browser';

export interface LatchkeyClientOptions {
  /** The API origin, e.g. `https://auth.example.com` (no `/api/v1`). */
  readonly baseUrl: string;
  /** Default: `browser` when a DOM is present, else `memory`. */
  readonly cookies?: CookieMode;
  /** When a request fails with 401 `invalid_token`, refresh once and retry it (default true). */
  readonly autoRefresh?: boolean;
  /** A fetch implementation (default `globalThis.fetch`). */
  readonly fetch?: typeof fetch;
}

/** Thrown by the helpers when the API answers with a problem. */
export class LatchkeyError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(
      problem
        ? `${String(status)} ${problem.code}: ${problem.detail ?? problem.title}`
        : `HTTP ${String(status)}`,
    );
    this.name = 'LatchkeyError';
  }

  /** The problem's stable `code` (e.g. `invalid_credentials`), when the body had one. */
  get code(): string | undefined {
    return this.problem?.code;
  }
}

export interface LatchkeyClient {
  /**
   * The typed client of every route in openapi.json (openapi-fetch): `api.GET('/api/v1/users/me')`.
   * The current access token is attached; the refresh cookie is handled as configured.
   */
  readonly api: Client<paths>;
  /** The access token of the last login or refresh, else null. */
  readonly accessToken: string | null;
  /** Whether this client holds a refresh cookie (`memory` mode only). */
  readonly hasRefreshToken: boolean;
  /** Creates an account. @throws LatchkeyError */
  register(input: { email: string; password: string; displayName?: string }): Promise<User>;
  /** Signs in: keeps the access token (and, in `memory` mode, the refresh cookie). @throws LatchkeyError */
  login(email: string, password: string): Promise<User>;
  /** Exchanges the refresh cookie for a new access token. @throws LatchkeyError */
  refresh(): Promise<string>;
  /** The signed-in user. @throws LatchkeyError */
  me(): Promise<User>;
  /** Signs out and forgets the tokens (never fails for a missing session). */
  logout(): Promise<void>;
}

const REFRESH_COOKIE = 'refresh_token';
const TOKEN_ROUTES: ReadonlySet<string> = new Set(['/api/v1/login', '/api/v1/refresh']);
const COOKIE_ROUTES: ReadonlySet<string> = new Set(['/api/v1/refresh', '/api/v1/logout']);

/**
 * @returns the refresh token that Set-Cookie headers set: its value, `''` when they clear it
 * (empty, `Max-Age=0` or an `Expires` in the past), or undefined when they do not name it.
 */
export const refreshCookieFrom = (setCookie: readonly string[]): string | undefined => {
  for (const header of setCookie) {
    const [pair = '', ...attributes] = header.split(';');
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== REFRESH_COOKIE) continue;
    const value = pair.slice(eq + 1).trim();
    const expired = attributes.some((attribute) => {
      const [key = '', date = ''] = attribute.split('=');
      if (/^\s*max-age\s*$/i.test(key)) return Number(date) <= 0;
      return /^\s*expires\s*$/i.test(key) && Date.parse(date) <= Date.now();
    });
    return expired ? '' : value;
  }
  return undefined;
};

const hasDom = (): boolean => 'document' in globalThis;

const isInvalidToken = (response: Response): boolean =>
  response.status === 401 &&
  /error="invalid_token"/.test(response.headers.get('www-authenticate') ?? '');

/** Creates a client of the Latchkey API (see the package README). */
export const createLatchkeyClient = (options: LatchkeyClientOptions): LatchkeyClient => {
  const mode: CookieMode = options.cookies ?? (hasDom() ? 'browser' : 'memory');
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  let accessToken: string | null = null;
  let refreshToken: string | null = null;
  let refreshing: Promise<string> | null = null;
  // Requests sent with a bearer token, kept (cloned) until answered so that one can be retried.
  const retries = new WeakMap<Request, Request>();

  const api = createClient<paths>({
    baseUrl: options.baseUrl,
    fetch: fetchImpl,
    ...(mode === 'browser' ? { credentials: 'include' as const } : {}),
  });

  const tokens: Middleware = {
    onRequest({ request, schemaPath }) {
      if (accessToken !== null && !request.headers.has('authorization')) {
        request.headers.set('authorization', `Bearer ${accessToken}`);
        if (options.autoRefresh !== false && !COOKIE_ROUTES.has(schemaPath)) {
          retries.set(request, request.clone());
        }
      }
      if (mode === 'memory' && refreshToken !== null && COOKIE_ROUTES.has(schemaPath)) {
        request.headers.set('cookie', `${REFRESH_COOKIE}=${refreshToken}`);
      }
      return request;
    },
    async onResponse({ request, response, schemaPath }) {
      if (mode === 'memory') {
        const cookie = refreshCookieFrom(response.headers.getSetCookie());
        if (cookie !== undefined) refreshToken = cookie === '' ? null : cookie;
      }
      if (response.ok && TOKEN_ROUTES.has(schemaPath)) {
        const body = (await response.clone().json()) as { accessToken?: unknown };
        if (typeof body.accessToken === 'string') accessToken = body.accessToken;
      } else if (
        response.ok &&
        (schemaPath === '/api/v1/logout' ||
          (schemaPath === '/api/v1/users/me' && request.method === 'DELETE'))
      ) {
        accessToken = null;
        refreshToken = null;
      }
      const retry = retries.get(request);
      retries.delete(request);
      if (retry === undefined || !isInvalidToken(response)) return response;
      try {
        const token = await refreshOnce();
        retry.headers.set('authorization', `Bearer ${token}`);
        return await fetchImpl(retry);
      } catch {
        return response;
      }
    },
  };
  api.use(tokens);

  const fail = (response: Response, error: unknown): never => {
    throw new LatchkeyError(response.status, error as Problem | undefined);
  };

  const refreshOnce = (): Promise<string> => {
    refreshing ??= (async () => {
      try {
        const { data, error, response } = await api.POST('/api/v1/refresh');
        if (data === undefined) {
          accessToken = null;
          return fail(response, error);
        }
        return data.accessToken;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  };

  return {
    api,
    get accessToken() {
      return accessToken;
    },
    get hasRefreshToken() {
      return refreshToken !== null;
    },
    async register(input) {
      const { data, error, response } = await api.POST('/api/v1/register', { body: input });
      return data === undefined ? fail(response, error) : data.user;
    },
    async login(email, password) {
      const { data, error, response } = await api.POST('/api/v1/login', {
        body: { email, password },
      });
      return data === undefined ? fail(response, error) : data.user;
    },
    refresh: refreshOnce,
    async me() {
      const { data, error, response } = await api.GET('/api/v1/users/me');
      return data === undefined ? fail(response, error) : data.user;
    },
    async logout() {
      await api.POST('/api/v1/logout');
      accessToken = null;
      refreshToken = null;
    },
  };
};
