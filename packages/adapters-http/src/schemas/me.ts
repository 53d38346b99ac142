import { Type, type Static } from 'typebox';
import { DisplayName, Email, Password, Timestamp, Uuid } from './common.js';

export const UpdateMeBody = Type.Object(
  {
    displayName: Type.Optional(Type.Union([DisplayName, Type.Null()])),
    email: Type.Optional(Email),
    currentPassword: Type.Optional(Password),
  },
  { additionalProperties: false },
);
export type UpdateMeBody = Static<typeof UpdateMeBody>;

export const ChangePasswordBody = Type.Object(
  { currentPassword: Type.Optional(Password), newPassword: Password },
  { additionalProperties: false },
);
export type ChangePasswordBody = Static<typeof ChangePasswordBody>;

export const DeletedResponse = Type.Object({
  status: Type.Literal('deleted'),
  deletedAt: Timestamp,
});

export const SessionsResponse = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Uuid,
      createdAt: Timestamp,
      lastUsedAt: Timestamp,
      userAgent: Type.Union([Type.String(), Type.Null()]),
      ip: Type.Union([Type.String(), Type.Null()]),
      current: Type.Boolean(),
    }),
  ),
});
