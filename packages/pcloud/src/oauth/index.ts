export {
  CLIENT_ATTR,
  CLIENT_LOGIN_PREFIX,
  hashClientSecret,
  redirectUriProblem,
  staticClients,
  storeClients,
  type ClientRegistry,
  type OAuthClient,
  type OAuthClientConfig,
  type StoreClientRegistry,
} from './clients';
export type { OAuthOptions } from './options';
export { isOAuthToken } from './grants';
