import { Type, type Static } from 'typebox';
import { Email, Password } from './common.js';

/** A single-use token as it appears in links: opaque, URL-safe. */
export const SingleUseToken = Type.String({
  minLength: 1,
  maxLength: 512,
  description: 'The token from the link in the mail',
});

export const VerifyParams = Type.Object({ token: SingleUseToken }, { additionalProperties: false });
export type VerifyParams = Static<typeof VerifyParams>;

export const VerifiedResponse = Type.Object({
  status: Type.Literal('verified'),
  user: Type.Ref('User'),
});

export const AcceptedResponse = Type.Object({ status: Type.Literal('accepted') });

export const ForgotPasswordBody = Type.Object({ email: Email }, { additionalProperties: false });
export type ForgotPasswordBody = Static<typeof ForgotPasswordBody>;

export const ResetPasswordBody = Type.Object(
  { token: SingleUseToken, password: Password },
  { additionalProperties: false },
);
export type ResetPasswordBody = Static<typeof ResetPasswordBody>;
