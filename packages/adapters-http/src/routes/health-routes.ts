import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';

/** A dependency's state as `/ready` reports it. */
export type CheckState = 'up' | 'down' | 'disabled';

/** Reports each dependency; `database` is required, the others degrade. */
export type ReadinessProbe = () => Promise<Record<string, CheckState>>;

const ReadyResponse = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unready')]),
  checks: Type.Record(
    Type.String(),
    Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('disabled')]),
    { description: 'Each dependency: `database` (required), `redis` (optional), …' },
  ),
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
        response: {
          200: Type.Object({ status: Type.Literal('ok') }, { description: 'The process serves' }),
        },
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
          'shape (not a problem body) while the database is down, so load balancers can read `checks`. ' +
          'Each check has its own deadline: a hung dependency counts as `down` within 1.5 s.',
        tags: ['Operations'],
        response: {
          200: { ...ReadyResponse, description: 'Ready: the database answers' },
          503: { ...ReadyResponse, description: 'Not ready: the database is down or hung' },
        },
      },
    },
    async (_request, reply) => {
      const checks = await readiness();
      const ready = checks.database === 'up';
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unready', checks });
    },
  );
};
