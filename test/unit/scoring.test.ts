import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SCALES, type Metric } from '../../lib/domain/metric.js';
import { npsInterval, studentT975, summarize, wilson } from '../../lib/domain/scoring.js';

/** A plain reference: straight from the definitions in shared/metrics.md, on the raw answers. */
function reference(metric: Metric, answers: number[]) {
  const n = answers.length;
  const share = (predicate: (s: number) => boolean) => answers.filter(predicate).length / n;
  if (metric === 'nps') return (share((s) => s >= 9) - share((s) => s <= 6)) * 100;
  if (metric === 'csat') return share((s) => s >= 4) * 100;
  return share((s) => s >= 5) * 100;
}

function histogram(answers: number[]): number[] {
  const counts = new Array<number>(11).fill(0);
  for (const s of answers) counts[s]! += 1;
  return counts;
}

const answersOf = (metric: Metric) =>
  fc.array(fc.integer({ min: SCALES[metric].min, max: SCALES[metric].max }), {
    minLength: 1,
    maxLength: 400,
  });

describe('metric maths', () => {
  it('matches the worked check: p = 0.5, d = 0.2 gives ±10 points at n = 234 and ±5 at n = 937', () => {
    const at234 = npsInterval(117, 46.8, 234);
    expect(at234.interval).toBe('wald');
    expect(at234.margin).toBeCloseTo(10, 0);
    const at937 = npsInterval(468.5, 187.4, 937);
    expect(at937.margin).toBeCloseTo(5, 0);
  });

  it('uses the adjusted-Wald interval below 30 answers and says so', () => {
    const small = npsInterval(5, 2, 10);
    expect(small.interval).toBe('adjusted-wald');
    expect(small.score).toBeCloseTo(30);
    // (5.75 − 2.75) / 11.5 = 26.09 is the adjusted centre
    expect((small.ciLow + small.ciHigh) / 2).toBeCloseTo(26.09, 1);
  });

  it('computes the Wilson interval as published (8 of 10 → 49.0 % … 94.3 %)', () => {
    const interval = wilson(8, 10);
    expect(interval.ciLow).toBeCloseTo(49.0, 1);
    expect(interval.ciHigh).toBeCloseTo(94.3, 1);
  });

  it('has Student t quantiles that meet the normal one smoothly', () => {
    expect(studentT975(1)).toBeCloseTo(12.706, 3);
    expect(studentT975(30)).toBeCloseTo(2.042, 3);
    expect(studentT975(31)).toBeLessThan(2.042);
    expect(studentT975(31)).toBeGreaterThan(2.03);
    expect(studentT975(100_000)).toBeCloseTo(1.96, 2);
  });

  it('reports no score, and a low-n flag, when nobody answered', () => {
    const summary = summarize('nps', new Array<number>(11).fill(0));
    expect(summary).toMatchObject({ n: 0, score: null, ciLow: null, lowN: true });
  });

  for (const metric of ['nps', 'csat', 'ces'] as const) {
    it(`agrees with the reference for ${metric} on any answers, and its interval holds the score`, () => {
      fc.assert(
        fc.property(answersOf(metric), (answers) => {
          const summary = summarize(metric, histogram(answers));
          expect(summary.n).toBe(answers.length);
          expect(summary.score).toBeCloseTo(reference(metric, answers), 9);
          expect(summary.lowN).toBe(answers.length < 30);
          const [low, high] = metric === 'nps' ? [-100, 100] : [0, 100];
          expect(summary.ciLow!).toBeGreaterThanOrEqual(low);
          expect(summary.ciHigh!).toBeLessThanOrEqual(high);
          if (summary.interval !== 'adjusted-wald') {
            expect(summary.ciLow! - 1e-9).toBeLessThanOrEqual(summary.score!);
            expect(summary.ciHigh! + 1e-9).toBeGreaterThanOrEqual(summary.score!);
          }
          if (metric === 'ces') {
            const mean = answers.reduce((a, b) => a + b, 0) / answers.length;
            expect(summary.mean).toBeCloseTo(mean, 9);
          }
        }),
      );
    });
  }
});
