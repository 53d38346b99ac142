import { Type, type Static } from 'typebox';
import { DisplayName, Email, Password } from './common.js';

export const RegisterBody = Type.Object(
  { email: Email, password: Password, displayName: Type.Optional(DisplayName) },
  { additionalProperties: false },
);
export type RegisterBody = Static<typeof RegisterBody>;

export const LoginBody = Type.Object(
  { email: Email, password: Password },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const AccessTokenResponse = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer(),
});

export const LoginResponse = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer(),
  user: Type.Ref('User'),
});
