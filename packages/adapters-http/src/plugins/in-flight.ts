import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

export interface InFlightOptions {
  /** The longest `close()` waits for requests still at work, ms (default 10 000). */
  readonly drainTimeoutMs?: number;
}

/**
 * `close()` waits for every request to reply. Node's `server.close()` only waits for open
 * sockets, and a client that hangs up does not stop its request's work (a login still hashes,
 * then writes): Fastify's `close()` resolved under such a request, and the server then shut the
 * database under it (a 500 "driver has already been destroyed" after SIGTERM under load).
 * A request is at work from `onRequest` until its reply is sent (`onSend`, which also runs for
 * the error reply of a request aborted mid-body) or has finished (`onResponse`).
 *
 * Replies sent once closing has begun carry `Connection: close`: `server.close()` only reaps the
 * sockets idle when it is called, so a keep-alive socket whose request was still at work would
 * hold the close open until the keep-alive timeout (72 s), past any shutdown deadline.
 */
export const inFlightPlugin = fp(
  async (app: FastifyInstance, options: InFlightOptions) => {
    const atWork = new Set<FastifyRequest>();
    let closing = false;
    let drained: (() => void) | undefined;
    const settle = (request: FastifyRequest): void => {
      if (atWork.delete(request) && atWork.size === 0) drained?.();
    };

    app.addHook('onRequest', (request, _reply, done) => {
      atWork.add(request);
      done();
    });
    app.addHook('onSend', (request, reply, payload, done) => {
      settle(request);
      if (closing) void reply.header('connection', 'close');
      done(null, payload);
    });
    app.addHook('onResponse', (request, _reply, done) => {
      settle(request);
      done();
    });
    app.addHook('preClose', (done) => {
      closing = true;
      done();
    });
    app.addHook('onClose', async () => {
      if (atWork.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => (drained = resolve)),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, options.drainTimeoutMs ?? 10_000);
        }),
      ]);
      clearTimeout(timer);
      if (atWork.size > 0) {
        app.log.warn({ requests: atWork.size }, 'closed with requests still at work');
      }
    });
  },
  { name: 'latchkey-in-flight' },
);
