#!/usr/bin/env node
import { runCli } from './cli/run-cli.js';

const status = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
});
process.exitCode = status;
// Exit even if a library left a handle open; long-running commands resolve only when done.
setTimeout(() => process.exit(status), 2000).unref();
