export {
  createLatchkeyClient,
  refreshCookieFrom,
  LatchkeyError,
  type CookieMode,
  type LatchkeyClient,
  type LatchkeyClientOptions,
  type Problem,
  type User,
} from './latchkey-client.js';
export type { components, operations, paths } from './schema.js';
