import { parseArgs } from 'node:util';
import { OPERATOR, adminCreateUser } from '@latchkey/application';
import { seedRoleCatalogue, seedSyntheticUsers } from '@latchkey/adapters-postgres';
import type { RoleName } from '@latchkey/domain';
import { DEFAULT_ROLES, PERMISSION_DESCRIPTIONS } from '@latchkey/domain';
import type { CliCommand } from './command.js';
import { UsageError } from './command.js';
import { CLI_CONTEXT, cliAdminDeps, domainFailure } from './cli-admin.js';

const USAGE = 'seed [--dev] [--users N]';
const usage = `usage: latchkey ${USAGE}`;
const MAX_SYNTHETIC_USERS = 10_000_000;

/** The sample accounts of `seed --dev`, all verified, sharing the development password. */
export const DEV_ACCOUNTS: ReadonlyArray<{ email: string; roles: RoleName[] }> = [
  { email: 'admin@example.com', roles: ['admin'] },
  { email: 'support@example.com', roles: ['support'] },
  { email: 'user@example.com', roles: ['user'] },
];
/** The development password (`SEED_PASSWORD` overrides it). Never use `--dev` in production. */
export const DEV_PASSWORD = 'latchkey-dev-password';

const parseCount = (text: string | undefined): number | null => {
  if (text === undefined) return null;
  const count = Number(text);
  if (
    !/^\d+$/.test(text) ||
    !Number.isSafeInteger(count) ||
    count < 1 ||
    count > MAX_SYNTHETIC_USERS
  ) {
    throw new UsageError(`--users must be an integer from 1 to ${MAX_SYNTHETIC_USERS}`, usage);
  }
  return count;
};

/**
 * `seed`: adds the default roles, permissions and grants that are missing (idempotent; the
 * server does it on every start too). `--dev` adds the sample accounts (skipping existing ones);
 * `--users N` bulk-loads N synthetic users `dev-user-NNNNNNN@example.com` with set-based SQL
 * (existing ones skipped). `--dev` is refused in production.
 */
export const seedCommand: CliCommand = {
  name: 'seed',
  usage: USAGE,
  summary: 'add the default roles and permissions; --dev adds sample users',
  async run(args, ctx) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { dev: { type: 'boolean', default: false }, users: { type: 'string' } },
    });
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument "${positionals[0]}"`, usage);
    const count = parseCount(values.users);
    if (count !== null && !values.dev) throw new UsageError('--users needs --dev', usage);
    const config = ctx.config();
    if (values.dev && config.appEnv === 'production') {
      throw new Error(
        'seed --dev is refused in production (it creates accounts with a known password)',
      );
    }
    const password = process.env.SEED_PASSWORD ?? DEV_PASSWORD;

    await ctx.withDatabase(async (db) => {
      const added = await seedRoleCatalogue(db, DEFAULT_ROLES, PERMISSION_DESCRIPTIONS);
      ctx.print(
        `roles: ${added.roles} added; permissions: ${added.permissions} added; grants: ${added.grants} added`,
      );
      if (!values.dev) return;
      const deps = cliAdminDeps(db, config);
      const create = adminCreateUser(deps);
      for (const account of DEV_ACCOUNTS) {
        if ((await deps.users.findByEmail(account.email)) !== null) {
          ctx.print(`${account.email}: exists`);
          continue;
        }
        await domainFailure(() =>
          create(OPERATOR, { ...account, password, verified: true }, CLI_CONTEXT),
        );
        ctx.print(`${account.email}: created (${account.roles.join(',')})`);
      }
      if (count === null) return;
      const started = performance.now();
      const inserted = await seedSyntheticUsers(db, {
        count,
        emailPrefix: 'dev-user',
        passwordHash: await deps.hasher.hash(password),
        now: deps.clock.now(),
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      ctx.print(`synthetic users: ${inserted} added (${count - inserted} existed) in ${seconds} s`);
    });
    if (values.dev)
      ctx.print(
        `development password: ${process.env.SEED_PASSWORD ? '(SEED_PASSWORD)' : DEV_PASSWORD}`,
      );
  },
};
