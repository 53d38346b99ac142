export { SystemClock } from './system-clock.js';
export { UuidV7Generator, uuidV7Timestamp } from './uuid-v7-generator.js';
export { CryptoSecretTokens } from './crypto-secret-tokens.js';
export { encryptWithKek, decryptWithKek } from './key-encryption.js';
export {
  SigningKeyRing,
  generateSigningKey,
  type ActiveKey,
  type PublicJwk,
  type SigningKeyRingOptions,
} from './signing-key-ring.js';
export { JwtAccessTokenIssuer, type JwtSettings } from './jwt-access-token-issuer.js';
