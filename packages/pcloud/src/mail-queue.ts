import type { Response } from 'express';
import { finished } from 'node:stream';

/**
 * Work that runs after the reply. lostpassword must answer in the same time whether or not the address
 * has an account, so it never waits for the mailer: issuing the code and calling the mailer are queued
 * and start once the response is finished (or the client went away). Failures go to `onError`, never to
 * the client. Bounded: past `max` pending jobs a job is dropped and reported (the mail budgets keep a
 * well-behaved deployment far from it).
 */
export class MailQueue {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly onError: (err: unknown, method: string) => void,
    private readonly max = 1000,
  ) {}

  /** Run `job` once `res` is done. */
  after(res: Response, method: string, job: () => Promise<void>): void {
    if (this.pending.size >= this.max) return this.onError(new Error('mail queue full: mail dropped'), method);
    const p: Promise<void> = new Promise<void>((resolve) => finished(res, () => resolve()))
      .then(job)
      .catch((e: unknown) => this.onError(e, method))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Jobs queued or running. */
  get size(): number {
    return this.pending.size;
  }

  /** Resolves when nothing is pending (tests; a graceful shutdown waits for it before exiting). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
