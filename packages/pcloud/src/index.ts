export { pcloud, type MethodHandler, type MethodOptions, type PcloudRouter } from './router';
export type { PcloudCall } from './call';
export {
  FROM_ACCESS_TOKEN_ERROR,
  FROM_AUTH_ERROR,
  FROM_VIOLATION,
  PAGE_ERRORS,
  PCLOUD_ERRORS,
  PcloudError,
  toFailure,
  type PageErrorName,
  type PcloudErrorName,
  type PcloudFailure,
} from './errors';
export { PCLOUD_TOKEN_DEFAULTS, type MailKind, type MailMessage, type Mailer, type PcloudOptions, type TokenLifetimes } from './options';
export { formatTime, type PcloudTime, type TimeFormat } from './time';
export { passwordDigest } from './digest';
export { credentialOf, lifetimeSeconds, type Credential } from './login';
export { ATTR } from './passwords';
export type { CookieParams } from './params';
export * from './oauth';
