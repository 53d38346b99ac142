import { Type, type Static } from 'typebox';
import { Timestamp } from './common.js';

export const ProviderParams = Type.Object(
  { provider: Type.String({ maxLength: 64 }) },
  { additionalProperties: false },
);
export type ProviderParams = Static<typeof ProviderParams>;

const RedirectTo = Type.String({
  minLength: 1,
  maxLength: 2048,
  description:
    'Where the browser goes afterwards: a relative path (`/x`, never `//x`), or a URL whose ' +
    'origin is listed in `OAUTH_REDIRECT_ORIGINS`. Default `/account`.',
});

export const AuthorizeQuery = Type.Object(
  { redirectTo: Type.Optional(RedirectTo) },
  { additionalProperties: false },
);
export type AuthorizeQuery = Static<typeof AuthorizeQuery>;

export const ConnectBody = Type.Object(
  { redirectTo: Type.Optional(RedirectTo) },
  { additionalProperties: false },
);
export type ConnectBody = Static<typeof ConnectBody>;

export const AuthorizeUrlResponse = Type.Object({
  authorizeUrl: Type.String({ description: 'Send the browser here' }),
});

export const LinkBody = Type.Object(
  { linkToken: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);
export type LinkBody = Static<typeof LinkBody>;

export const ProvidersResponse = Type.Object({
  items: Type.Array(
    Type.Object({
      provider: Type.String(),
      email: Type.Union([Type.String(), Type.Null()]),
      linkedAt: Timestamp,
    }),
  ),
});

export const ConfiguredProvidersResponse = Type.Object({
  items: Type.Array(Type.Object({ name: Type.String() })),
});
