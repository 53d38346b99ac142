import { Type, type Static } from 'typebox';

/** RFC 9457 problem body, as every 4xx/5xx returns it. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    code: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' },
);

export const Email = Type.String({ minLength: 1, maxLength: 254, description: 'Email address' });
/** Policy (8–128 code points after NFKC) is checked by the domain; this only bounds the size. */
export const Password = Type.String({ maxLength: 1024 });
export const DisplayName = Type.String({ minLength: 1, maxLength: 100 });
export const Uuid = Type.String({ format: 'uuid' });
export const Timestamp = Type.String({ format: 'date-time' });

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
export type IdParams = Static<typeof IdParams>;

/** The user as its owner sees it. */
export const UserSchema = Type.Object(
  {
    id: Uuid,
    email: Type.String(),
    pendingEmail: Type.Union([Type.String(), Type.Null()]),
    displayName: Type.Union([Type.String(), Type.Null()]),
    status: Type.Union([
      Type.Literal('unverified'),
      Type.Literal('active'),
      Type.Literal('suspended'),
    ]),
    roles: Type.Array(Type.String()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    lastLoginAt: Type.Union([Timestamp, Type.Null()]),
  },
  { $id: 'User' },
);

export const UserEnvelope = Type.Object({ user: Type.Ref('User') });

export { problems } from './responses.js';
