import { parseArgs } from 'node:util';
import {
  OPERATOR,
  adminCreateUser,
  adminDeleteUser,
  adminListUsers,
  adminRestoreUser,
  adminUpdateUser,
} from '@latchkey/application';
import type { AdminDeps } from '@latchkey/application';
import type { UserListQuery, UserStatus } from '@latchkey/domain';
import { MAX_PAGE_SIZE, USER_STATUSES } from '@latchkey/domain';
import type { CliCommand, CliContext } from './command.js';
import { UsageError } from './command.js';
import { CLI_CONTEXT, cliAdminDeps, domainFailure, findUserRef, userLine } from './cli-admin.js';
import { readPassword } from './read-password.js';

const USAGE =
  'users create --email E [--role R]… [--verified] [--password-stdin] | users list [--status S] ' +
  '[--role R] [--q TEXT] [--deleted] [--limit N] | users suspend|unsuspend|delete|restore <id|email>';
const usage = `usage: latchkey ${USAGE}`;

const create = async (args: string[], ctx: CliContext): Promise<void> => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      role: { type: 'string', multiple: true },
      verified: { type: 'boolean', default: false },
      'password-stdin': { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0]}"`, usage);
  if (values.email === undefined) throw new UsageError('--email is required', usage);
  const email = values.email;
  const password = await readPassword(values['password-stdin']);
  const config = ctx.config();
  const user = await ctx.withDatabase((db) =>
    domainFailure(() =>
      adminCreateUser(cliAdminDeps(db, config))(
        OPERATOR,
        { email, password, roles: values.role, verified: values.verified },
        CLI_CONTEXT,
      ),
    ),
  );
  ctx.print(userLine(user));
};

const parseLimit = (text: string | undefined): number => {
  if (text === undefined) return Number.POSITIVE_INFINITY;
  const limit = Number(text);
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new UsageError('--limit must be a positive integer', usage);
  return limit;
};

const list = async (args: string[], ctx: CliContext): Promise<void> => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      status: { type: 'string' },
      role: { type: 'string' },
      q: { type: 'string' },
      deleted: { type: 'boolean', default: false },
      limit: { type: 'string' },
    },
  });
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0]}"`, usage);
  const status = values.status;
  if (status !== undefined && !(USER_STATUSES as readonly string[]).includes(status)) {
    throw new UsageError(`--status must be one of ${USER_STATUSES.join(', ')}`, usage);
  }
  const limit = parseLimit(values.limit);
  const config = ctx.config();
  await ctx.withDatabase((db) =>
    domainFailure(async () => {
      const listUsers = adminListUsers(cliAdminDeps(db, config));
      let printed = 0;
      let cursor: string | null = null;
      do {
        const query: UserListQuery = {
          deleted: values.deleted,
          limit: Math.min(MAX_PAGE_SIZE, limit - printed),
          cursor,
          sort: 'createdAt',
          status: status as UserStatus | undefined,
          role: values.role,
          q: values.q,
        };
        const page = await listUsers(query);
        for (const user of page.items) ctx.print(userLine(user));
        printed += page.items.length;
        cursor = page.nextCursor;
      } while (cursor !== null && printed < limit);
    }),
  );
};

type Change = 'suspend' | 'unsuspend' | 'delete' | 'restore';

const change = async (action: Change, args: string[], ctx: CliContext): Promise<void> => {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const [ref, ...extra] = positionals;
  if (ref === undefined) throw new UsageError('missing <id|email>', usage);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`, usage);
  const config = ctx.config();
  const user = await ctx.withDatabase((db) =>
    domainFailure(async () => {
      const deps: AdminDeps = cliAdminDeps(db, config);
      const target = await findUserRef(deps, ref);
      switch (action) {
        case 'suspend':
          return adminUpdateUser(deps)(OPERATOR, target.id, { status: 'suspended' }, CLI_CONTEXT);
        case 'unsuspend': {
          // Back to what the email says: verified accounts are active, others unverified.
          const status: UserStatus = target.emailVerifiedAt === null ? 'unverified' : 'active';
          return adminUpdateUser(deps)(OPERATOR, target.id, { status }, CLI_CONTEXT);
        }
        case 'delete':
          return adminDeleteUser(deps)(OPERATOR, target.id, CLI_CONTEXT);
        case 'restore':
          return adminRestoreUser(deps)(OPERATOR, target.id, CLI_CONTEXT);
      }
    }),
  );
  ctx.print(userLine(user));
};

/**
 * `users create|list|suspend|unsuspend|delete|restore`: the operator's side of the admin API,
 * through the same use cases (audited with no actor, user agent `latchkey-cli`). Each change
 * takes effect on every instance within 1 s, like the same change through the API.
 */
export const usersCommand: CliCommand = {
  name: 'users',
  usage: USAGE,
  summary: 'create, list, suspend, unsuspend, delete or restore user accounts',
  async run(args, ctx) {
    const [action, ...rest] = args;
    switch (action) {
      case 'create':
        return create(rest, ctx);
      case 'list':
        return list(rest, ctx);
      case 'suspend':
      case 'unsuspend':
      case 'delete':
      case 'restore':
        return change(action, rest, ctx);
      default:
        throw new UsageError(
          action === undefined ? 'missing users action' : `unknown users action "${action}"`,
          usage,
        );
    }
  },
};
