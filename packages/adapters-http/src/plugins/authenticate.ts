import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Principal, SessionGuard } from '@latchkey/application';
import { PERMISSIONS, type Permission } from '@latchkey/domain';
import { HttpProblem } from '../errors/problem.js';

/** What the bearer check needs from the outside. */
export interface AuthenticationOptions {
  /** @returns the PEM public key for `kid`, or null when unknown. */
  readonly publicKey: (kid: string) => Promise<string | null>;
  readonly sessionGuard: SessionGuard;
  /** @returns when a token was issued, in ms, from its `jti` (UUIDv7), or null. */
  readonly issuedAtMs: (jti: string) => number | null;
  readonly issuer: string;
  readonly audience: string;
  /** Verified tokens remembered at once (an LRU keyed by the token string). */
  readonly cacheSize?: number;
}

interface AccessPayload {
  sub: string;
  sid: string;
  jti: string;
  exp: number;
  roles: string[];
  perms: string[];
}

const REALM = 'Bearer realm="latchkey"';
const missing = (): HttpProblem =>
  new HttpProblem(401, 'unauthorized', 'a bearer token is required', { 'www-authenticate': REALM });
/** 401 invalid_token with the RFC 6750 challenge. */
export const invalidTokenProblem = (): HttpProblem =>
  new HttpProblem(401, 'invalid_token', 'the access token is invalid or expired', {
    'www-authenticate': `${REALM}, error="invalid_token"`,
  });

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string');

const asPayload = (value: unknown): AccessPayload | null => {
  const p = value as Partial<AccessPayload> | null;
  return p &&
    typeof p.sub === 'string' &&
    typeof p.sid === 'string' &&
    typeof p.jti === 'string' &&
    typeof p.exp === 'number' &&
    isStringArray(p.roles) &&
    isStringArray(p.perms)
    ? (p as AccessPayload)
    : null;
};

/** @returns the token of `Authorization: Bearer <token>`, or null. Never the query string. */
export const bearerToken = (request: FastifyRequest): string | null => {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  return match?.[1] ?? null;
};

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller; set by `app.authenticate`. */
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** preHandler: requires a valid bearer token and sets `request.principal`. */
    authenticate: (request: FastifyRequest) => Promise<void>;
    /** @returns the principal of a valid bearer token, or null (never throws for bad tokens). */
    tryAuthenticate: (request: FastifyRequest) => Promise<Principal | null>;
  }
}

/**
 * Bearer authentication: @fastify/jwt verifies EdDSA tokens against the key named by `kid`
 * (algorithms, issuer and audience pinned; `jku`/`jwk`/`x5u` headers ignored), an LRU skips
 * re-verifying a token already seen, and the session guard refuses tokens whose session ended.
 */
export const authenticationPlugin = fp(
  async (app: FastifyInstance, options: AuthenticationOptions) => {
    await app.register(fastifyJwt, {
      secret: {
        public: async (_request: FastifyRequest, token: { header?: { kid?: unknown } }) => {
          const kid = token.header?.kid;
          const key = typeof kid === 'string' ? await options.publicKey(kid) : null;
          if (key === null) throw invalidTokenProblem();
          return key;
        },
      },
      verify: {
        algorithms: ['EdDSA'],
        allowedIss: options.issuer,
        allowedAud: options.audience,
        requiredClaims: ['sub', 'sid', 'jti', 'exp', 'iat', 'iss', 'aud'],
      },
      decode: { complete: true },
    } as Parameters<typeof fastifyJwt>[1]);

    const cacheSize = options.cacheSize ?? 10_000;
    const verified = new Map<string, AccessPayload>();

    const verify = async (
      request: FastifyRequest,
      token: string,
    ): Promise<AccessPayload | null> => {
      const cached = verified.get(token);
      if (cached && cached.exp * 1000 > Date.now()) return cached;
      try {
        // jwtVerify reads the header itself; the token was already shape-checked.
        const decoded: unknown = await request.jwtVerify();
        const payload = asPayload(decoded);
        if (payload === null) return null;
        if (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string);
        verified.set(token, payload);
        return payload;
      } catch {
        return null;
      }
    };

    const principalOf = async (request: FastifyRequest): Promise<Principal> => {
      const token = bearerToken(request);
      if (token === null) throw missing();
      const payload = await verify(request, token);
      if (payload === null) throw invalidTokenProblem();
      const issuedAtMs = options.issuedAtMs(payload.jti);
      if (issuedAtMs === null) throw invalidTokenProblem();
      const stands = await options.sessionGuard({
        userId: payload.sub,
        sessionId: payload.sid,
        issuedAtMs,
      });
      if (!stands) throw invalidTokenProblem();
      return {
        userId: payload.sub,
        sessionId: payload.sid,
        roles: payload.roles,
        permissions: payload.perms.filter((p): p is Permission =>
          (PERMISSIONS as readonly string[]).includes(p),
        ),
      };
    };

    app.decorateRequest('principal', null);
    app.decorate('authenticate', async (request: FastifyRequest) => {
      request.principal = await principalOf(request);
    });
    app.decorate('tryAuthenticate', async (request: FastifyRequest) => {
      try {
        return await principalOf(request);
      } catch (error) {
        if (error instanceof HttpProblem) return null;
        throw error;
      }
    });
  },
  { name: 'latchkey-authentication' },
);
