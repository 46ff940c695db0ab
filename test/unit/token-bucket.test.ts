import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../lib/domain/token-bucket.js';

/** A virtual clock: sleeping advances it, so the bucket's pacing is measured exactly, instantly. */
function virtualTime() {
  let now = 0;
  return {
    now: () => now,
    sleep: (ms: number) => {
      now += ms;
      return Promise.resolve();
    },
  };
}

describe('token bucket', () => {
  it('lets one second of sends go at once, then paces the rest at the rate', async () => {
    const time = virtualTime();
    const bucket = new TokenBucket(14, time.now, time.sleep);
    for (let i = 0; i < 14; i++) await bucket.take();
    expect(time.now()).toBe(0);
    for (let i = 0; i < 140; i++) await bucket.take();
    expect(time.now()).toBeCloseTo(10_000, -1); // 140 more at 14/s
  });

  it('serves concurrent callers in order without exceeding the rate', async () => {
    const time = virtualTime();
    const bucket = new TokenBucket(5, time.now, time.sleep);
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 25 }, () => bucket.take().then(() => times.push(time.now()))),
    );
    // in any one-second window after the first burst, at most 5 sends
    for (const t of times.filter((t) => t >= 1000)) {
      expect(times.filter((u) => u > t - 1000 && u <= t).length).toBeLessThanOrEqual(5);
    }
    expect(time.now()).toBeCloseTo(4000, -1);
  });

  it('holds every send after a throttling answer, then starts again slowly', async () => {
    const time = virtualTime();
    const bucket = new TokenBucket(10, time.now, time.sleep);
    await bucket.take();
    bucket.pause(1000);
    await bucket.take();
    expect(time.now()).toBeGreaterThanOrEqual(1000);
    expect(time.now()).toBeLessThan(1200);
  });

  it('paces a rate below one per second too', async () => {
    const time = virtualTime();
    const bucket = new TokenBucket(0.5, time.now, time.sleep);
    await bucket.take();
    await bucket.take();
    expect(time.now()).toBeCloseTo(2000, -1);
  });

  it('refuses a rate of zero', () => {
    expect(() => new TokenBucket(0)).toThrowError(/above 0, got 0/);
  });
});
