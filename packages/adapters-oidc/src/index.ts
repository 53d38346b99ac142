export {
  OpenIdConnectProvider,
  googleProvider,
  type OpenIdConnectProviderOptions,
} from './openid-connect-provider.js';
export { GitHubProvider, type GitHubProviderOptions } from './github-provider.js';
export { classifyExchangeError } from './provider-errors.js';
