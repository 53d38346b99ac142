// The ceiling for GET /users/me: a bare Fastify route doing the same work by hand (verify the
// same EdDSA JWT with fast-jwt against the same public key, read the same row by primary key
// with pg), nothing else. Started by scripts/bench.ts as its own process. PREPARED=true sends the
// read as a named (prepared) statement, as the server does for its hot reads.
import Fastify from 'fastify';
import { createVerifier } from 'fast-jwt';
import pg from 'pg';

const { DATABASE_URL, PUBLIC_KEY, PORT, PREPARED } = process.env;
if (!DATABASE_URL || !PUBLIC_KEY || !PORT)
  throw new Error('DATABASE_URL, PUBLIC_KEY and PORT are required');

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 25 });
const verify = createVerifier({
  key: PUBLIC_KEY,
  algorithms: ['EdDSA'],
  allowedIss: 'latchkey',
  allowedAud: 'latchkey',
  cache: true,
});
const app = Fastify({ logger: false });
app.get('/me', async (request, reply) => {
  const token = (request.headers.authorization ?? '').slice(7);
  let sub: string;
  try {
    sub = (verify(token) as { sub: string }).sub;
  } catch {
    return reply.code(401).send({ code: 'invalid_token' });
  }
  const { rows } = await pool.query<Record<string, unknown>>({
    text: 'select id, email, pending_email, display_name, status, created_at, updated_at, last_login_at from users where id = $1',
    values: [sub],
    ...(PREPARED === 'true' ? { name: 'me' } : {}),
  });
  return { user: rows[0] };
});
await app.listen({ host: '127.0.0.1', port: Number(PORT) });
process.send?.('ready');
process.on(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0)),
);
