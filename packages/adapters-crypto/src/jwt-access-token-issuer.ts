import { createSigner } from 'fast-jwt';
import type {
  AccessClaims,
  AccessTokenIssuer,
  IdGenerator,
  IssuedAccessToken,
} from '@latchkey/domain';
import type { SigningKeyRing } from './signing-key-ring.js';

export interface JwtSettings {
  readonly issuer: string;
  readonly audience: string;
  /** Seconds. */
  readonly accessTokenTtl: number;
}

type Signer = (payload: Record<string, unknown>) => string;

/** Signs access tokens with the ring's current Ed25519 key (EdDSA, `kid` header). */
export class JwtAccessTokenIssuer implements AccessTokenIssuer {
  private signer: { kid: string; sign: Signer } | null = null;

  constructor(
    private readonly keys: SigningKeyRing,
    private readonly ids: IdGenerator,
    private readonly settings: JwtSettings,
  ) {}

  issue(claims: AccessClaims): Promise<IssuedAccessToken> {
    const token = this.currentSigner()({
      sub: claims.sub,
      sid: claims.sid,
      roles: claims.roles,
      perms: claims.perms,
      jti: this.ids.newId(),
    });
    return Promise.resolve({ token, expiresIn: this.settings.accessTokenTtl });
  }

  private currentSigner(): Signer {
    const key = this.keys.signingKey();
    if (this.signer?.kid !== key.kid) {
      const sign: Signer = createSigner<Record<string, unknown>>({
        key: key.privateKey,
        algorithm: 'EdDSA',
        kid: key.kid,
        iss: this.settings.issuer,
        aud: this.settings.audience,
        expiresIn: this.settings.accessTokenTtl * 1000,
      });
      this.signer = { kid: key.kid, sign };
    }
    return this.signer.sign;
  }
}
