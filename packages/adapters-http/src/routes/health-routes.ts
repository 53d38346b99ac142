import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';

/** A dependency's state as `/ready` reports it. */
export type CheckState = 'up' | 'down' | 'disabled';

/** Reports each dependency; `database` is required, the others degrade. */
export type ReadinessProbe = () => Promise<Record<string, CheckState>>;

const ReadyResponse = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unready')]),
  checks: Type.Record(Type.String(), Type.String()),
});

/** `/health` (the process serves) and `/ready` (the database answers). */
export const healthRoutes: FastifyPluginAsync<{ readiness: ReadinessProbe }> = async (
  app,
  { readiness },
) => {
  app.get(
    '/health',
    {
      logLevel: 'warn',
      schema: {
        summary: 'Liveness',
        description: 'Always 200 while the process serves requests. Checks no dependency.',
        tags: ['Operations'],
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      logLevel: 'warn',
      schema: {
        summary: 'Readiness',
        description:
          '200 while the database answers (Redis is optional: `down` keeps 200). 503 with the same ' +
          'shape (not a problem body) while the database is down, so load balancers can read `checks`.',
        tags: ['Operations'],
        response: { 200: ReadyResponse, 503: ReadyResponse },
      },
    },
    async (_request, reply) => {
      const checks = await readiness();
      const ready = checks.database === 'up';
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unready', checks });
    },
  );
};
