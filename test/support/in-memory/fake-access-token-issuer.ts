import type { AccessClaims, AccessTokenIssuer, IssuedAccessToken } from '@latchkey/domain';

/** Issues readable fake tokens (`fake.<n>.<base64url claims>`) and remembers their claims. */
export class FakeAccessTokenIssuer implements AccessTokenIssuer {
  readonly issued: AccessClaims[] = [];

  constructor(private readonly ttlSeconds = 900) {}

  async issue(claims: AccessClaims): Promise<IssuedAccessToken> {
    this.issued.push(claims);
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return { token: `fake.${this.issued.length}.${body}`, expiresIn: this.ttlSeconds };
  }

  /** @returns the claims a token of this issuer carries. */
  decode(token: string): AccessClaims {
    const body = token.split('.')[2];
    if (body === undefined) throw new Error('not a fake access token');
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as AccessClaims;
  }
}
