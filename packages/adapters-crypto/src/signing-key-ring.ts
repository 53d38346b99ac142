import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { Clock, IdGenerator, SigningKeyRepository, StoredSigningKey } from '@latchkey/domain';
import { decryptWithKek, encryptWithKek } from './key-encryption.js';

/** A public key in JWKS form. */
export interface PublicJwk {
  readonly kty: string;
  readonly crv: string;
  readonly x: string;
  readonly kid: string;
  readonly alg: 'EdDSA';
  readonly use: 'sig';
}

/** The key that signs new tokens. */
export interface ActiveKey {
  readonly kid: string;
  readonly privateKey: string;
}

export interface SigningKeyRingOptions {
  readonly repository: SigningKeyRepository;
  readonly kek: Buffer;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Retired keys stay published this long (the access-token lifetime), in seconds. */
  readonly accessTokenTtl: number;
  /** How often the ring re-reads the shared keys, in ms. */
  readonly reloadIntervalMs?: number;
}

const ALGORITHM = 'EdDSA';

/** Makes a new Ed25519 key, its private part sealed with `kek`. */
export const generateSigningKey = (kek: Buffer, kid: string, now: Date): StoredSigningKey => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    kid,
    algorithm: ALGORITHM,
    publicKey,
    privateKeyEncrypted: encryptWithKek(kek, privateKey),
    createdAt: now,
    retiredAt: null,
  };
};

/**
 * The signing keys shared by every instance through the database. Signs with the newest live
 * key; publishes it and the retired keys whose tokens may still be valid. Re-reads the store
 * periodically and when a token names an unknown `kid` (at most once a second).
 */
export class SigningKeyRing {
  private keys: StoredSigningKey[] = [];
  private active: ActiveKey | null = null;
  private loadedAt = 0;
  private loading: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: SigningKeyRingOptions) {}

  /** Loads the keys, creating the first one when the store has none. */
  async start(): Promise<void> {
    await this.options.repository.withLock(async (repo) => {
      const keys = await repo.list();
      if (!keys.some((k) => k.retiredAt === null)) {
        await repo.insert(this.newKey());
      }
    });
    await this.reload();
    const interval = this.options.reloadIntervalMs ?? 30_000;
    this.timer = setInterval(() => void this.reload().catch(() => undefined), interval);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Creates a new key that signs from now on; the previous one stays published. */
  async rotate(): Promise<string> {
    const key = this.newKey();
    await this.options.repository.withLock(async (repo) => {
      await repo.insert(key);
      await repo.retireAllExcept(key.kid, this.options.clock.now());
    });
    await this.reload();
    return key.kid;
  }

  /** @returns the key that signs new tokens. */
  signingKey(): ActiveKey {
    if (this.active === null) throw new Error('signing keys not loaded');
    return this.active;
  }

  /** @returns the PEM public key of `kid`, or null when unknown even after a re-read. */
  async publicKey(kid: string): Promise<string | null> {
    const known = this.keys.find((k) => k.kid === kid);
    if (known) return known.publicKey;
    if (this.options.clock.now().getTime() - this.loadedAt < 1000) return null;
    await this.reload();
    return this.keys.find((k) => k.kid === kid)?.publicKey ?? null;
  }

  /** @returns the published keys: the current one and those retired less than a token lifetime ago. */
  jwks(): PublicJwk[] {
    const horizon = this.options.clock.now().getTime() - this.options.accessTokenTtl * 1000;
    return this.keys
      .filter((k) => k.retiredAt === null || k.retiredAt.getTime() > horizon)
      .map((k) => {
        const jwk = createPublicKey(k.publicKey).export({ format: 'jwk' });
        return {
          kty: jwk.kty ?? 'OKP',
          crv: jwk.crv ?? 'Ed25519',
          x: jwk.x ?? '',
          kid: k.kid,
          alg: ALGORITHM,
          use: 'sig',
        };
      });
  }

  /** Re-reads the shared keys (concurrent calls share one read). */
  reload(): Promise<void> {
    this.loading ??= this.options.repository
      .list()
      .then((keys) => {
        const current = keys.find((k) => k.retiredAt === null) ?? keys[0];
        this.keys = keys;
        if (current && current.kid !== this.active?.kid) {
          this.active = {
            kid: current.kid,
            privateKey: decryptWithKek(this.options.kek, current.privateKeyEncrypted),
          };
        }
        this.loadedAt = this.options.clock.now().getTime();
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  private newKey(): StoredSigningKey {
    return generateSigningKey(this.options.kek, this.options.ids.newId(), this.options.clock.now());
  }
}
