export {
  DEFAULT_GRANT_SCOPES,
  grantScopes,
  hashClientSecret,
  redirectUriProblem,
  staticClients,
  type ClientRegistry,
  type OAuthClient,
  type OAuthClientConfig,
} from './clients';
export { managedClients, storeClients, type StoreClientRegistry } from './stored-clients';
export { OAUTH_TOKEN_DEFAULTS, type OAuthOptions } from './options';
export { isOAuthToken } from './grants';
