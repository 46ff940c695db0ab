/**
 * A token bucket: sends wait for a token, tokens refill at `ratePerSecond` up to one second's
 * worth, so a backlog drains at the rate SES allows and never faster. A throttling answer pauses
 * the bucket, so the next sends back off instead of hammering.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private pausedUntil = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly ratePerSecond: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    if (!(ratePerSecond > 0))
      throw new RangeError(`send rate must be above 0, got ${ratePerSecond}`);
    this.tokens = Math.max(1, ratePerSecond);
    this.updatedAt = now();
  }

  /** Resolves when one send may go; callers are served in order. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Holds every send for `ms` (after a throttling answer), and starts again from an empty bucket. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
    this.tokens = 0;
    this.updatedAt = this.pausedUntil;
  }

  private async waitForToken(): Promise<void> {
    for (;;) {
      const now = this.now();
      if (now < this.pausedUntil) {
        await this.sleep(Math.max(1, Math.ceil(this.pausedUntil - now)));
        continue;
      }
      const capacity = Math.max(1, this.ratePerSecond);
      this.tokens = Math.min(
        capacity,
        this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond,
      );
      this.updatedAt = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      // Whole milliseconds: a sub-millisecond wait could round to no time at all and spin.
      await this.sleep(Math.max(1, Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000)));
    }
  }
}
