import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Opens a scope for one request and calls `next` inside it, e.g.
 * `(request, next) => storage.run({ requestId: request.id }, next)` with an AsyncLocalStorage:
 * whatever the request then runs (hooks, handler, use cases, adapters) sees that store.
 */
export type RequestScope = (request: FastifyRequest, next: () => void) => void;

/**
 * Runs every request inside `scope`, from its first hook on. (Fastify 5 carries the async
 * context across body parsing itself: the rest of the request stays in the scope.)
 */
export const requestScopePlugin = fp(
  async (app: FastifyInstance, options: { scope: RequestScope }) => {
    app.addHook('onRequest', (request, _reply, done) => {
      options.scope(request, done);
    });
  },
  { name: 'latchkey-request-scope' },
);
