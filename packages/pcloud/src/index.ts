export { pcloud, type MethodHandler, type MethodOptions, type PcloudRouter } from './router';
export type { PcloudCall } from './call';
export { FROM_AUTH_ERROR, FROM_VIOLATION, PCLOUD_ERRORS, PcloudError, toFailure, type PcloudErrorName, type PcloudFailure } from './errors';
export { PCLOUD_TOKEN_DEFAULTS, type MailKind, type MailMessage, type Mailer, type PcloudOptions, type TokenLifetimes } from './options';
export { formatTime, type PcloudTime, type TimeFormat } from './time';
export { passwordDigest } from './digest';
export { credentialOf, lifetimeSeconds, type Credential } from './login';
export { ATTR } from './passwords';
export type { CookieParams } from './params';
