export {
  APP_ENVS,
  ConfigSchema,
  LOG_LEVELS,
  SETTING_NAMES,
  settingSchema,
} from './config-schema.js';
export type { AppEnv, LogLevel, SettingName, Settings } from './config-schema.js';
export { BASE_DEFAULTS, PROFILE_DEFAULTS, PROFILE_OVERRIDES } from './config-defaults.js';
export type { DefaultValue, ProfileDefaults } from './config-defaults.js';
export { ConfigError, toConfig } from './config-types.js';
export type {
  Config,
  GithubOAuthConfig,
  GoogleOAuthConfig,
  OidcOAuthConfig,
} from './config-types.js';
export { decodeKeyEncryptionKey, loadConfig } from './load-config.js';
export { GENERATED_KEY_FILE, resolveKeyEncryptionKey } from './key-encryption-key.js';
