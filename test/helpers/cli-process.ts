import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: where `pnpm cli` runs. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../apps/server/src/cli.ts', import.meta.url));

/**
 * Starts `latchkey <args…>` as its own process, as `pnpm cli` does (the sources through tsx),
 * with exactly `env` (plus PATH).
 *
 * The child records no coverage. tap's process tracking would otherwise collect it: its V8 ranges
 * are offsets into tsx's (esbuild's) output, and tap merges raw ranges of one file across
 * processes before source-mapping, so they would garble the coverage of every source file the
 * child loads (e.g. application use cases reported at 1 line, or at 30 %).
 */
export const spawnCli = (
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): ChildProcessWithoutNullStreams =>
  spawn(process.execPath, ['--conditions=@latchkey/source', '--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env, _TAPJS_PROCESSINFO_COVERAGE_: '0' },
  });
