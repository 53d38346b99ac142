import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OAuthFlow } from '@latchkey/application';
import { isAuthProviderName } from '@latchkey/domain';

export const OAUTH_STATE_COOKIE = 'oauth_state';
const COOKIE_PATH = '/api/v1/oauth';
const VERSION = 'v1';
/** Longer than any cookie we write: anything bigger is not ours. */
const MAX_LENGTH = 4096;

interface Payload {
  p: string;
  s: string;
  n: string;
  v: string;
  r: string;
  u: string | null;
  e: number;
}

const mac = (secret: Uint8Array, body: string): Buffer =>
  createHmac('sha256', secret).update(`${VERSION}.${body}`).digest();

/** @returns the cookie value for `flow`: `v1.<payload>.<HMAC-SHA256>`, both base64url. */
export const sealFlow = (secret: Uint8Array, flow: OAuthFlow): string => {
  const payload: Payload = {
    p: flow.provider,
    s: flow.state,
    n: flow.nonce,
    v: flow.codeVerifier,
    r: flow.redirectTo,
    u: flow.userId,
    e: flow.expiresAt.getTime(),
  };
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${VERSION}.${body}.${mac(secret, body).toString('base64url')}`;
};

const isPayload = (value: unknown): value is Payload => {
  const p = value as Partial<Payload> | null;
  return (
    p !== null &&
    typeof p === 'object' &&
    typeof p.p === 'string' &&
    typeof p.s === 'string' &&
    typeof p.n === 'string' &&
    typeof p.v === 'string' &&
    typeof p.r === 'string' &&
    (p.u === null || typeof p.u === 'string') &&
    typeof p.e === 'number'
  );
};

/** @returns the flow of a cookie value this service signed, or null (absent, forged, malformed). */
export const openFlow = (secret: Uint8Array, value: string | undefined): OAuthFlow | null => {
  if (value === undefined || value.length > MAX_LENGTH) return null;
  const [version, body, signature, extra] = value.split('.');
  if (version !== VERSION || body === undefined || signature === undefined || extra !== undefined) {
    return null;
  }
  const expected = mac(secret, body);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!isPayload(payload) || !isAuthProviderName(payload.p)) return null;
  return {
    provider: payload.p,
    state: payload.s,
    nonce: payload.n,
    codeVerifier: payload.v,
    redirectTo: payload.r,
    userId: payload.u,
    expiresAt: new Date(payload.e),
  };
};

const cookieOptions = { httpOnly: true, secure: true, sameSite: 'lax', path: COOKIE_PATH } as const;

/** Binds `flow` to the browser (SameSite=Lax: the provider's redirect back carries it). */
export const setStateCookie = (
  reply: FastifyReply,
  secret: Uint8Array,
  flow: OAuthFlow,
  maxAge: number,
): void => {
  void reply.setCookie(OAUTH_STATE_COOKIE, sealFlow(secret, flow), { ...cookieOptions, maxAge });
};

/** Drops the state cookie: each one serves a single callback. */
export const clearStateCookie = (reply: FastifyReply): void => {
  void reply.clearCookie(OAUTH_STATE_COOKIE, cookieOptions);
};

/** @returns the flow of the request's state cookie, or null. */
export const flowOf = (request: FastifyRequest, secret: Uint8Array): OAuthFlow | null =>
  openFlow(secret, request.cookies[OAUTH_STATE_COOKIE]);
