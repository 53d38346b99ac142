import type { FastifyPluginAsync } from 'fastify';
import { contextOf } from '../request-context.js';
import { problems } from '../schemas/common.js';
import {
  AcceptedResponse,
  ForgotPasswordBody,
  ResetPasswordBody,
} from '../schemas/verification.js';
import type { AccountUseCases } from '../use-cases.js';

const TAGS = ['Password reset'];

/** POST /password/forgot and POST /password/reset. */
export const passwordResetRoutes: FastifyPluginAsync<{ useCases: AccountUseCases }> = async (
  app,
  { useCases },
) => {
  app.post<{ Body: ForgotPasswordBody }>(
    '/password/forgot',
    {
      schema: {
        summary: 'Ask for a password reset mail',
        description:
          'Always 202 with the same body, in similar time, whether or not the email belongs to an ' +
          'account. When it names a live account, a reset link (valid 30 minutes by default, ' +
          'single use) is mailed to the address stored on the account.',
        tags: TAGS,
        body: ForgotPasswordBody,
        response: { 202: AcceptedResponse, ...problems(400, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      await useCases.forgotPassword(request.body.email);
      return reply.code(202).send({ status: 'accepted' as const });
    },
  );

  app.post<{ Body: ResetPasswordBody }>(
    '/password/reset',
    {
      schema: {
        summary: 'Set a new password with a reset token',
        description:
          'Applies the password policy, then consumes the token (of concurrent uses exactly one ' +
          'succeeds), revokes every session of the user, invalidates every other reset token and ' +
          'mails a notice. An `unverified` account becomes `active` (the mail proved the address). ' +
          'No tokens are returned: sign in again.',
        tags: TAGS,
        body: ResetPasswordBody,
        response: {
          204: { type: 'null', description: 'Password reset' },
          ...problems(400, 413, 415, 429, 503),
        },
      },
    },
    async (request, reply) => {
      await useCases.resetPassword(request.body, contextOf(request));
      return reply.code(204).send();
    },
  );
};
