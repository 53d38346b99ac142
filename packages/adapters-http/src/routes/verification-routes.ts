import type { FastifyPluginAsync } from 'fastify';
import { contextOf, principalOf } from '../request-context.js';
import { problems } from '../schemas/common.js';
import { AcceptedResponse, VerifiedResponse, VerifyParams } from '../schemas/verification.js';
import type { AccountUseCases } from '../use-cases.js';
import { userView } from '../views.js';

const TAGS = ['Email verification'];

/** GET /verify/{token} (the link in verification mails) and POST /verify/resend. */
export const verificationRoutes: FastifyPluginAsync<{ useCases: AccountUseCases }> = async (
  app,
  { useCases },
) => {
  app.get<{ Params: VerifyParams }>(
    '/verify/:token',
    {
      schema: {
        summary: 'Follow a verification link',
        description:
          'Verifies the account (`unverified` becomes `active`), or applies a pending email change ' +
          '(the old address gets a notice). Following a used link again while it is unexpired ' +
          'answers 200 again. A newer link supersedes older ones of the same kind. 409 ' +
          '`email_taken` when another account took the pending address meanwhile: the pending ' +
          'change is dropped.',
        tags: TAGS,
        params: VerifyParams,
        response: { 200: VerifiedResponse, ...problems(400, 409, 429, 503) },
      },
    },
    async (request) => {
      const user = await useCases.verifyEmail(request.params.token, contextOf(request));
      return { status: 'verified' as const, user: userView(user) };
    },
  );

  app.post(
    '/verify/resend',
    {
      preHandler: app.authenticate,
      schema: {
        summary: 'Send the verification mail again',
        description:
          'Mails a new link for what is pending: the account while it is `unverified`, else the ' +
          'pending email change. Older links of that kind stop working. At most 5 verification and ' +
          'reset mails go to one account per hour; beyond that this still answers 202 and sends ' +
          'nothing.',
        tags: TAGS,
        security: [{ bearerAuth: [] }],
        response: { 202: AcceptedResponse, ...problems(401, 409, 429, 503) },
      },
    },
    async (request, reply) => {
      await useCases.resendVerification(principalOf(request).userId, contextOf(request));
      return reply.code(202).send({ status: 'accepted' as const });
    },
  );
};
