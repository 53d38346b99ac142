import type { CliCommand } from './command.js';
import { keysCommand } from './keys-command.js';
import { migrateCommand } from './migrate-command.js';
import { jobsCommand } from './jobs-command.js';
import { workerCommand } from './worker-command.js';
import { seedCommand } from './seed-command.js';
import { usersCommand } from './users-command.js';

export { UsageError } from './command.js';
export type { CliCommand, CliContext } from './command.js';

/** Every command, in help order. New command groups (seed, users, keys, jobs, worker) slot in here. */
export const COMMANDS: readonly CliCommand[] = [
  migrateCommand,
  seedCommand,
  usersCommand,
  keysCommand,
  workerCommand,
  jobsCommand,
];

export const findCommand = (name: string): CliCommand | undefined =>
  COMMANDS.find((c) => c.name === name);

/** One line listing every command. */
export const usageLine = (): string =>
  `usage: latchkey ${COMMANDS.map((c) => c.usage).join(' | ')}`;
