import {
  AUDIT_EVENT_TYPES,
  MAX_PAGE_SIZE,
  DEFAULT_PAGE_SIZE,
  PERMISSIONS,
  USER_SORTS,
} from '@latchkey/domain';
import { Type, type Static } from 'typebox';
import { DisplayName, Email, Timestamp, Uuid } from './common.js';

const literals = <T extends string>(values: readonly T[]) =>
  Type.Union(values.map((v) => Type.Literal(v)));

const Status = literals(['unverified', 'active', 'suspended'] as const);
export const RoleName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[a-z][a-z0-9_:-]*$',
});
const Limit = Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE });
const Cursor = Type.String({
  minLength: 1,
  maxLength: 1024,
  description: 'nextCursor of the previous page',
});
const NextCursor = Type.Union([Type.String(), Type.Null()], {
  description: 'Opaque cursor of the next page; null on the last page',
});

/** The user as administrators see it: the self view, plus deletedAt and permissions. */
export const AdminUserSchema = Type.Object(
  {
    id: Uuid,
    email: Type.String(),
    pendingEmail: Type.Union([Type.String(), Type.Null()]),
    displayName: Type.Union([Type.String(), Type.Null()]),
    status: Status,
    roles: Type.Array(Type.String()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    lastLoginAt: Type.Union([Timestamp, Type.Null()]),
    deletedAt: Type.Union([Timestamp, Type.Null()]),
    permissions: Type.Array(literals(PERMISSIONS)),
  },
  { $id: 'AdminUser' },
);

export const AdminUserEnvelope = Type.Object({ user: Type.Ref('AdminUser') });
export const AdminUserPage = Type.Object({
  items: Type.Array(Type.Ref('AdminUser')),
  nextCursor: NextCursor,
});

export const ListUsersQuery = Type.Object(
  {
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
    status: Type.Optional(Status),
    role: Type.Optional(RoleName),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 254,
        description: 'Case-insensitive substring of the email',
      }),
    ),
    createdFrom: Type.Optional(
      Type.String({ format: 'date-time', description: 'Created at or after (inclusive)' }),
    ),
    createdTo: Type.Optional(
      Type.String({ format: 'date-time', description: 'Created at or before (inclusive)' }),
    ),
    sort: Type.Optional(
      Type.Union(
        USER_SORTS.map((s) => Type.Literal(s)),
        {
          default: '-createdAt',
          description: 'createdAt or email (ignoring case); "-" for descending',
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ListUsersQuery = Static<typeof ListUsersQuery>;

export const AdminUpdateBody = Type.Object(
  {
    email: Type.Optional(Email),
    displayName: Type.Optional(Type.Union([DisplayName, Type.Null()])),
    status: Type.Optional(Status),
    roles: Type.Optional(Type.Array(RoleName, { maxItems: 32 })),
  },
  { additionalProperties: false },
);
export type AdminUpdateBody = Static<typeof AdminUpdateBody>;

export const RolesResponse = Type.Object({
  items: Type.Array(
    Type.Object({
      name: Type.String(),
      description: Type.String(),
      permissions: Type.Array(literals(PERMISSIONS)),
    }),
  ),
});

export const AuditQuery = Type.Object(
  {
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
    type: Type.Optional(literals(AUDIT_EVENT_TYPES)),
    actorId: Type.Optional(Uuid),
    targetId: Type.Optional(Uuid),
    from: Type.Optional(
      Type.String({ format: 'date-time', description: 'Recorded at or after (inclusive)' }),
    ),
    to: Type.Optional(
      Type.String({ format: 'date-time', description: 'Recorded at or before (inclusive)' }),
    ),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditEventPage = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Uuid,
      type: Type.String(),
      actorId: Type.Union([Uuid, Type.Null()]),
      targetId: Type.Union([Uuid, Type.Null()]),
      ip: Type.Union([Type.String(), Type.Null()]),
      userAgent: Type.Union([Type.String(), Type.Null()]),
      data: Type.Object({}, { additionalProperties: true }),
      createdAt: Timestamp,
    }),
  ),
  nextCursor: NextCursor,
});
