import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';

export interface Jwk {
  readonly kty: string;
  readonly crv: string;
  readonly x: string;
  readonly kid: string;
  readonly alg: string;
  readonly use: string;
}

const JwksResponse = Type.Object({
  keys: Type.Array(
    Type.Object({
      kty: Type.String(),
      crv: Type.String(),
      x: Type.String(),
      kid: Type.String(),
      alg: Type.String(),
      use: Type.String(),
    }),
  ),
});

/** The public signing keys: the current one and those whose tokens may still be valid. */
export const jwksRoutes: FastifyPluginAsync<{ jwks: () => readonly Jwk[] }> = async (
  app,
  { jwks },
) => {
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        summary: 'JSON Web Key Set',
        description: 'Ed25519 public keys (EdDSA) that verify access tokens, by `kid`.',
        tags: ['Tokens'],
        response: {
          200: {
            ...JwksResponse,
            description: 'The current key, and previous keys until their tokens have expired',
            headers: {
              'Cache-Control': { type: 'string', description: '`public, max-age=60`' },
            },
          },
        },
      },
    },
    async (_request, reply) => {
      void reply.header('cache-control', 'public, max-age=60');
      return { keys: jwks() };
    },
  );
};
