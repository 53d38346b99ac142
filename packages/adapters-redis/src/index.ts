export { createRedisConnection, RedisConnection } from './redis-connection.js';
export type { RedisConnectionOptions, RedisState } from './redis-connection.js';
export { withFallback, type FallbackOptions, type FallbackReason } from './redis-fallback.js';
export {
  RedisRateLimitStore,
  TOKEN_BUCKET_LUA,
  type RedisRateLimitStoreOptions,
} from './redis-rate-limit-store.js';
export {
  RedisLoginThrottle,
  RECORD_FAILURE_LUA,
  type RedisLoginThrottleOptions,
} from './redis-login-throttle.js';
export {
  RedisPermissionCache,
  type RedisPermissionCacheOptions,
} from './redis-permission-cache.js';
