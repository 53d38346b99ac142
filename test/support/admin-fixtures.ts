import type { FastifyInstance } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { createKysely, createPool, type Database } from '@latchkey/adapters-postgres';
import { GOOD_PASSWORD, refreshCookieOf, signUp, uniqueEmail } from './test-server.js';

/** A signed-in account of the test server. */
export interface Member {
  readonly userId: string;
  readonly email: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The claims of an access token (not verified: the server does that). */
export const claimsOf = (token: string): { roles: string[]; perms: string[]; sub: string } =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));

/** Direct database access for set-up and for checking what was written. */
export const openDatabase = (url: string): Kysely<Database> =>
  createKysely<Database>(createPool({ connectionString: url, max: 3 }));

/** Replaces a user's roles behind the API's back (set-up only). */
export const setRolesDirectly = async (
  db: Kysely<Database>,
  userId: string,
  roles: readonly string[],
) => {
  await sql`delete from user_roles where user_id = ${userId}`.execute(db);
  for (const role of roles) {
    await db.insertInto('user_roles').values({ user_id: userId, role_name: role }).execute();
  }
};

/** Signs in again; @returns fresh tokens (carrying the current roles and perms). */
export const signIn = async (app: FastifyInstance, email: string, password = GOOD_PASSWORD) => {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/login',
    payload: { email, password },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return {
    accessToken: res.json<{ accessToken: string }>().accessToken,
    refreshToken: refreshCookieOf(res.headers['set-cookie']) ?? '',
  };
};

/** Registers an account with `roles` and signs it in with them. */
export const member = async (
  app: FastifyInstance,
  db: Kysely<Database>,
  roles: readonly string[] = ['user'],
  prefix = 'member',
): Promise<Member> => {
  const account = await signUp(app, uniqueEmail(prefix));
  if (roles.join() !== 'user') await setRolesDirectly(db, account.userId, roles);
  const tokens = await signIn(app, account.email);
  return { userId: account.userId, email: account.email, ...tokens };
};

/** Polls `probe` until it returns true; @returns the milliseconds it took, or null on timeout. */
export const within = async (ms: number, probe: () => Promise<boolean>): Promise<number | null> => {
  const start = Date.now();
  while (Date.now() - start <= ms) {
    if (await probe()) return Date.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return null;
};
