import { isDatabaseUnavailableError } from '@latchkey/adapters-postgres';
import { ConfigError } from '../config/index.js';
import { createCliContext } from './cli-context.js';
import { findCommand, usageLine, UsageError } from './commands.js';

/** Exit statuses: 0 success, 1 failure, 2 bad command line. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

/**
 * Runs `latchkey <command> …` and returns the exit status. Failures print exactly one line on
 * stderr: `latchkey: <message>`.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(usageLine());
    return name === undefined ? 2 : 0;
  }
  const command = findCommand(name);
  if (command === undefined) {
    io.stderr(`latchkey: unknown command "${name}"; ${usageLine()}`);
    return 2;
  }
  try {
    await command.run(args, createCliContext(io.env, io.stdout));
    return 0;
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      const usage =
        err instanceof UsageError && err.usage !== undefined
          ? err.usage
          : `usage: latchkey ${command.usage}`;
      io.stderr(`latchkey: ${oneLine((err as Error).message)}; ${usage}`);
      return 2;
    }
    io.stderr(`latchkey: ${describe(err)}`);
    return 1;
  }
}

const isParseArgsError = (err: unknown): boolean =>
  err instanceof TypeError &&
  String((err as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();

function describe(err: unknown): string {
  if (err instanceof ConfigError) return oneLine(err.message);
  const message = messageOf(err);
  return isDatabaseUnavailableError(err) ? `database unavailable: ${message}` : message;
}

/** AggregateError (e.g. connect to every address of a host) has an empty message: use the first inner one. */
function messageOf(err: unknown): string {
  if (err instanceof AggregateError && err.message === '' && err.errors.length > 0)
    return messageOf(err.errors[0]);
  if (err instanceof Error) return oneLine(err.message === '' ? err.name : err.message);
  return oneLine(String(err));
}
