import type { Account, Attempt, TokenInfo } from '@authmount/core';
import type { Auth } from '@authmount/express';
import type { Request, Response } from 'express';
import { pcloudError } from './errors';
import type { MailQueue } from './mail-queue';
import type { Resolved } from './options';
import type { Params } from './params';
import { formatTime, timeFormatOf, type PcloudTime, type TimeFormat } from './time';

/** What a method handler (built-in or the app's own) gets to work with. */
export interface PcloudCall {
  readonly req: Request;
  readonly res: Response;
  /** The pCloud method name (the path). */
  readonly method: string;
  /** Merged parameters: query, then form body, then cookies (later wins). */
  readonly params: Params;
  /** The logged-in user, or null on a method that does not need one and got no credentials. */
  readonly userId: number | null;
  /** The token this call authenticated with or obtained (getauth); null after a password login without getauth. */
  readonly tokenId: string | null;
  readonly token: TokenInfo | null;
  /** 'timestamp' when the client sent timeformat=timestamp. */
  readonly timeFormat: TimeFormat;
  /** Format an epoch-ms instant as this call's datetime (RFC 2822 text or unix seconds). */
  time(ms: number): PcloudTime;
  /** The logged-in account (loaded once). Fails with 1000 when nobody is logged in. */
  account(): Promise<Account>;
  /** Send a success reply in pCloud's envelope (for routes behind `guard()`; methods just return fields). */
  reply(fields?: Record<string, unknown>): void;
}

/** Services every built-in method uses. */
export interface Ctx {
  readonly auth: Auth;
  readonly cfg: Resolved;
  /** Mails sent after the reply (lostpassword). */
  readonly mails: MailQueue;
}

/** The mutable state behind a PcloudCall; built-ins see the extra fields, apps only the interface. */
export class CallState implements PcloudCall {
  userId: number | null = null;
  tokenId: string | null = null;
  token: TokenInfo | null = null;
  /** The token string to return when `getauth` is set (the one used, or the one just issued). */
  authToken: string | null = null;
  /** Set when the call revoked its own token, so the reply never hands out a dead `auth`. */
  ownTokenRevoked = false;
  private loaded: Account | undefined;

  constructor(
    private readonly ctx: Ctx,
    readonly req: Request,
    readonly res: Response,
    readonly method: string,
    readonly params: Params,
    private readonly send: (call: CallState, fields: Record<string, unknown>) => void,
  ) {}

  /** Where this call comes from, for core's abuse budgets (the client IP Express resolves). */
  attempt(method = 'pcloud'): Attempt {
    return { ip: this.ctx.auth.clientIp(this.req), method };
  }

  get timeFormat(): TimeFormat {
    return timeFormatOf(this.params.timeformat);
  }

  time(ms: number): PcloudTime {
    return formatTime(ms, this.timeFormat);
  }

  /** The user id, or 1000 when the call is anonymous. */
  user(): number {
    if (this.userId === null) throw pcloudError('login_required');
    return this.userId;
  }

  async account(): Promise<Account> {
    if (this.loaded && this.loaded.id === this.userId) return this.loaded;
    const a = await this.ctx.auth.accounts.find(this.user());
    if (!a) throw pcloudError('login_failed'); // deleted while its token was still being used
    this.loaded = a;
    return a;
  }

  /** Remember an account the login step already loaded (saves a store read). */
  setAccount(a: Account): void {
    this.loaded = a;
  }

  reply(fields: Record<string, unknown> = {}): void {
    this.send(this, fields);
  }
}
