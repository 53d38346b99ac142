import net from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A mail as the test SMTP server received and parsed it. */
export interface ReceivedMail {
  readonly to: string;
  readonly from: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** The `X-Latchkey-Mail` header: the mail's kind. */
  readonly kind: string | null;
  /** The first http(s) link of the text part. */
  readonly link: string | null;
  /** `performance.now()` when the DATA phase ended. */
  readonly receivedAt: number;
}

export interface SmtpSink {
  readonly port: number;
  /** SMTP_URL for the server under test. */
  readonly url: string;
  readonly mails: ReceivedMail[];
  /** While true, mails are read but never acknowledged (a stalled server). */
  stall: boolean;
  /** Starts listening (again) on `port`. */
  start(): Promise<void>;
  /** Stops listening and drops open connections. */
  stop(): Promise<void>;
  /** Resolves with the first mail (already received or arriving) matching `match`. */
  waitFor(match: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** Resolves once any connection reached the DATA phase (e.g. to interrupt a send). */
  waitForData(timeoutMs?: number): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (nothing listens on it when this resolves). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

const addressOf = (value: unknown): string => {
  const parsed = value as { text?: string } | Array<{ text?: string }> | undefined;
  if (Array.isArray(parsed)) return parsed.map((a) => a.text ?? '').join(', ');
  return parsed?.text ?? '';
};

/**
 * A real SMTP server (smtp-server) that parses what it receives (mailparser). Its built-in
 * certificate has expired and AUTH is required by default: both are disabled, and the sender
 * connects without TLS (`ignoreTLS=true` in the URL).
 */
export const createSmtpSink = async (options: { listen?: boolean } = {}): Promise<SmtpSink> => {
  const port = await freePort();
  const mails: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const dataWaiters = new Set<() => void>();
  let server: SMTPServer | null = null;

  const sink: SmtpSink = {
    port,
    url: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
    mails,
    stall: false,
    async start() {
      if (server !== null) return;
      const created = new SMTPServer({
        disabledCommands: ['STARTTLS', 'AUTH'],
        authOptional: true,
        disableReverseLookup: true,
        logger: false,
        onData(stream, _session, callback) {
          for (const notify of dataWaiters) notify();
          if (sink.stall) {
            stream.resume();
            return; // never acknowledged: the sender waits until it gives up or dies
          }
          simpleParser(stream)
            .then((parsed) => {
              const text = parsed.text ?? '';
              const kind = parsed.headers.get('x-latchkey-mail');
              mails.push({
                to: addressOf(parsed.to),
                from: addressOf(parsed.from),
                subject: parsed.subject ?? '',
                text,
                html: typeof parsed.html === 'string' ? parsed.html : '',
                kind: typeof kind === 'string' ? kind : null,
                link: /https?:\/\/\S+/.exec(text)?.[0] ?? null,
                receivedAt: performance.now(),
              });
              for (const notify of waiters) notify();
              callback();
            })
            .catch((err: Error) => callback(err));
        },
      });
      created.on('error', () => undefined);
      await new Promise<void>((resolve, reject) => {
        created.server.once('error', reject);
        created.listen(port, '127.0.0.1', () => resolve());
      });
      server = created;
    },
    async stop() {
      const current = server;
      server = null;
      if (current === null) return;
      // Drop open connections at once instead of waiting for clients to quit.
      for (const connection of (current as unknown as { connections: Set<{ close(): void }> })
        .connections ?? []) {
        connection.close();
      }
      await new Promise<void>((resolve) => current.close(() => resolve()));
    },
    waitFor(match, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = mails.find(match);
          if (found === undefined) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching mail within ${timeoutMs} ms (${mails.length} received)`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    waitForData(timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const notify = () => {
          dataWaiters.delete(notify);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          dataWaiters.delete(notify);
          reject(new Error(`no DATA within ${timeoutMs} ms`));
        }, timeoutMs);
        dataWaiters.add(notify);
      });
    },
  };
  if (options.listen !== false) await sink.start();
  return sink;
};

/** The token at the end of a verification link or in a reset link's query. */
export const tokenOfLink = (link: string | null): string => {
  if (link === null) throw new Error('the mail has no link');
  const url = new URL(link);
  return url.searchParams.get('token') ?? decodeURIComponent(url.pathname.split('/').pop() ?? '');
};
