import { describe, expect, it } from 'vitest';
import {
  answersNeeded,
  cronExpression,
  drawWithoutReplacement,
  invitationsNeeded,
  marginFor,
  nextRun,
  periodOf,
  previousPeriodDays,
  type Schedule,
} from '../../lib/domain/tracking.js';

const monthly: Schedule = {
  frequency: 'monthly',
  day: 'mon',
  week: 'first',
  time: '10:00',
  timeZone: 'Europe/London',
};

describe('sample size for a target margin (metrics.md)', () => {
  it('gives the worked example: p = 0.5, d = 0.2, m = 5 → 938 answers, 3,750 invitations at 25 %', () => {
    const n = answersNeeded('nps', 5, { good: 0.5, bad: 0.2 });
    expect(n).toBeCloseTo(937.35, 2);
    expect(Math.ceil(n)).toBe(938);
    expect(invitationsNeeded(n, 0.25)).toBe(3750);
  });

  it('gives about ±10 points at n = 234 and ±5 at n = 937 (the interval checks)', () => {
    expect(marginFor('nps', 234, { good: 0.5, bad: 0.2 })).toBeCloseTo(10, 1);
    expect(marginFor('nps', 937, { good: 0.5, bad: 0.2 })).toBeCloseTo(5, 1);
  });

  it('assumes the worst case without an earlier period: variance 1 for NPS, 0.25 for a share', () => {
    expect(answersNeeded('nps', 5)).toBeCloseTo(1.96 ** 2 / 0.0025, 6); // 1,536.64
    expect(answersNeeded('csat', 5)).toBeCloseTo((1.96 ** 2 * 0.25) / 0.0025, 6);
    expect(answersNeeded('ces', 5, { good: 0.8, bad: 0.2 })).toBeCloseTo(
      (1.96 ** 2 * 0.16) / 0.0025,
      6,
    );
  });
});

describe('schedules', () => {
  it('writes EventBridge Scheduler cron expressions', () => {
    expect(cronExpression(monthly)).toBe('cron(0 10 ? * MON#1 *)');
    expect(cronExpression({ ...monthly, frequency: 'quarterly', week: 'last', day: 'fri' })).toBe(
      'cron(0 10 ? 1,4,7,10 FRIL *)',
    );
    expect(cronExpression({ ...monthly, frequency: 'weekly', day: 'wed', time: '08:30' })).toBe(
      'cron(30 8 ? * WED *)',
    );
  });

  it('finds the next run in the zone, across the clock change', () => {
    expect(nextRun(monthly, new Date('2026-12-02T12:00:00Z')).toISOString()).toBe(
      '2026-12-07T10:00:00.000Z', // the first Monday of December, GMT
    );
    expect(nextRun(monthly, new Date('2026-12-07T10:00:00Z')).toISOString()).toBe(
      '2027-01-04T10:00:00.000Z',
    );
    // The first Monday of April 2027 is in summer time: 10:00 BST = 09:00 UTC.
    expect(
      nextRun(
        { ...monthly, frequency: 'quarterly' },
        new Date('2027-01-05T00:00:00Z'),
      ).toISOString(),
    ).toBe('2027-04-05T09:00:00.000Z');
    expect(
      nextRun(
        { ...monthly, week: 'last', day: 'fri' },
        new Date('2026-12-01T00:00:00Z'),
      ).toISOString(),
    ).toBe('2026-12-25T10:00:00.000Z');
  });

  it('names the period of a run and the period before it', () => {
    const at = new Date('2026-12-07T10:00:00Z');
    expect(periodOf(monthly, at)).toBe('2026-12');
    expect(periodOf({ ...monthly, frequency: 'quarterly' }, at)).toBe('2026-Q4');
    expect(periodOf({ ...monthly, frequency: 'weekly' }, at)).toBe('2026-W50');
    expect(previousPeriodDays(monthly, at)).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(previousPeriodDays({ ...monthly, frequency: 'quarterly' }, at)).toEqual({
      from: '2026-07-01',
      to: '2026-09-30',
    });
  });
});

describe('the draw', () => {
  it('is uniform without replacement: every pair of a small population equally likely (chi-square)', async () => {
    const population = ['a', 'b', 'c', 'd', 'e'];
    const pairs = new Map<string, number>();
    const trials = 20_000;
    for (let i = 0; i < trials; i++) {
      // A run per seed, as each program, period and stratum seeds its own.
      const { drawn } = await drawWithoutReplacement(population, 2, {
        seed: `run-${i}`,
        idOf: (id) => id,
      });
      expect(new Set(drawn).size).toBe(2);
      const pair = [...drawn].sort().join('');
      pairs.set(pair, (pairs.get(pair) ?? 0) + 1);
    }
    expect(pairs.size).toBe(10);
    const expected = trials / 10;
    const chiSquare = [...pairs.values()].reduce(
      (sum, n) => sum + (n - expected) ** 2 / expected,
      0,
    );
    // 9 degrees of freedom: 21.67 is the 99 % quantile.
    expect(chiSquare).toBeLessThan(21.67);
  });

  it('never keeps a refused customer, and goes on drawing so the count is still reached', async () => {
    const population = Array.from({ length: 50 }, (_, i) => i);
    for (let seed = 1; seed <= 50; seed++) {
      const { drawn, refused } = await drawWithoutReplacement(population, 10, {
        seed: String(seed),
        idOf: String,
        accept: (n) => n % 3 !== 0, // every third is suppressed or opted out
      });
      expect(drawn).toHaveLength(10);
      expect(drawn.some((n) => n % 3 === 0)).toBe(false);
      expect(refused.every((n) => n % 3 === 0)).toBe(true);
    }
    const few = await drawWithoutReplacement([1, 2, 3], 10, { seed: 'x', idOf: String });
    expect(few.drawn.sort()).toEqual([1, 2, 3]);
  });

  it('draws the same again from a changed population: a retried run invites nobody new', async () => {
    const population = Array.from({ length: 200 }, (_, i) => `c${i}`);
    const first = await drawWithoutReplacement(population, 20, {
      seed: 'p:2026-12:*',
      idOf: (c) => c,
    });
    // Between the attempts one customer opted out and one joined.
    const changed = [...population.filter((c) => c !== 'c7'), 'c-new'];
    const retry = await drawWithoutReplacement(changed, 20, {
      seed: 'p:2026-12:*',
      idOf: (c) => c,
    });
    const overlap = retry.drawn.filter((c) => first.drawn.includes(c));
    expect(overlap.length).toBeGreaterThanOrEqual(18);
  });
});
