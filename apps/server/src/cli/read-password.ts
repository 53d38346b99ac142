import { createInterface } from 'node:readline';
import { Writable, type Readable } from 'node:stream';

/** @returns everything on `input` up to its end, less one trailing newline. */
export const readPasswordFromStream = async (input: Readable): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
};

/** Asks once on a terminal without echoing what is typed (readline writes to a sink). */
const ask = (prompt: string): Promise<string> =>
  new Promise((resolve, reject) => {
    process.stderr.write(prompt);
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    const rl = createInterface({ input: process.stdin, output: sink, terminal: true });
    rl.question('', (answer) => {
      process.stderr.write('\n');
      rl.close();
      resolve(answer);
    });
    rl.once('SIGINT', () => {
      rl.close();
      reject(new Error('cancelled'));
    });
  });

/**
 * The password for `users create`: all of stdin with `--password-stdin`, else a prompt (twice, to
 * confirm) when stdin is a terminal. @throws when neither is possible or the two entries differ.
 */
export const readPassword = async (fromStdin: boolean): Promise<string> => {
  if (fromStdin) return readPasswordFromStream(process.stdin);
  if (!process.stdin.isTTY)
    throw new Error('no terminal to prompt for the password: use --password-stdin');
  const first = await ask('Password: ');
  const second = await ask('Repeat password: ');
  if (first !== second) throw new Error('the passwords do not match');
  return first;
};
