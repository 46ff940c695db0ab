import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SCALES, type Metric } from '../../lib/domain/metric.js';
import { npsInterval, studentT975, summarize, wilson } from '../../lib/domain/scoring.js';
import {
  comparePeriods,
  fisherExactTwoSided,
  twoSidedNormalP,
} from '../../lib/domain/significance.js';

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

function counts(entries: Record<number, number>): number[] {
  const result = new Array<number>(11).fill(0);
  for (const [score, count] of Object.entries(entries)) result[Number(score)] = count;
  return result;
}

const answersOf = (metric: Metric, maxLength = 400) =>
  fc.array(fc.integer({ min: SCALES[metric].min, max: SCALES[metric].max }), {
    minLength: 1,
    maxLength,
  });

describe('NPS adjusted-Wald interval (metrics.md, at every n)', () => {
  it('gives [−30.33, 61.10] for 5 promoters, 2 passives and 3 detractors (n = 10)', () => {
    // n' = 13, p' = 5.75/13, d' = 3.75/13, NPS' = 2/13 = 0.15385,
    // Var = (9.5/13 − (2/13)²)/13 = 0.054392, 1.96·√Var = 0.45711 → [−0.30326, 0.61096]
    const summary = summarize('nps', counts({ 10: 5, 8: 2, 3: 3 }));
    expect(summary.score).toBeCloseTo(20, 9); // the reported score stays the plain NPS
    expect(summary.adjustedScore).toBeCloseTo((2 / 13) * 100, 9);
    expect(summary.ciLow).toBeCloseTo(-30.33, 2);
    expect(summary.ciHigh).toBeCloseTo(61.1, 2);
    expect(summary.interval).toBe('adjusted-wald');
  });

  it('gives [83.6, 100] for 40 promoters, not a zero-width [100, 100]', () => {
    // n' = 43, NPS' = 40/43 = 0.93023, Var = (41.5/43 − 0.93023²)/43 = 0.0023210,
    // 1.96·√Var = 0.09443 → [0.8358, 1.0247], clipped at 1
    const summary = summarize('nps', counts({ 10: 40 }));
    expect(summary.score).toBe(100);
    expect(summary.ciLow).toBeCloseTo(83.58, 2);
    expect(summary.ciHigh).toBe(100);
    expect(summary.margin).toBeCloseTo((100 - 83.58) / 2, 2);
  });

  it('uses the same method on both sides of 30 answers, so the width does not jump', () => {
    const at29 = npsInterval(29 * 0.5, 29 * 0.2, 29);
    const at30 = npsInterval(30 * 0.5, 30 * 0.2, 30);
    expect(at29.interval).toBe('adjusted-wald');
    expect(at30.interval).toBe('adjusted-wald');
    const width = (i: { ciLow: number; ciHigh: number }) => i.ciHigh - i.ciLow;
    expect(width(at29) - width(at30)).toBeGreaterThan(0);
    expect(width(at29) - width(at30)).toBeLessThan(1);
  });

  it('matches the worked check: p = 0.5, d = 0.2 gives about ±10 points at n = 234 and ±5 at n = 937', () => {
    expect(npsInterval(117, 46.8, 234).margin).toBeCloseTo(10, 0);
    expect(npsInterval(468.5, 187.4, 937).margin).toBeCloseTo(5, 0);
  });
});

describe('shares and means', () => {
  it('computes the Wilson interval as published (8 of 10 → 49.0 % … 94.3 %)', () => {
    const interval = wilson(8, 10);
    expect(interval.ciLow).toBeCloseTo(49.0, 1);
    expect(interval.ciHigh).toBeCloseTo(94.3, 1);
  });

  it('exports the CES mean with its t interval: 3, 5, 7 → 5 ± 4.303 · 2/√3', () => {
    const summary = summarize('ces', counts({ 3: 1, 5: 1, 7: 1 }));
    expect(summary.mean).toBe(5);
    // clipped to the 1–7 scale: 5 ± 4.969 → [1, 7]
    expect(summary.meanCiLow).toBe(1);
    expect(summary.meanCiHigh).toBe(7);
    const wider = summarize('ces', counts({ 4: 10, 6: 10 }));
    const half = 2.093 * (Math.sqrt(20 / 19) / Math.sqrt(20));
    expect(wider.meanCiLow).toBeCloseTo(5 - half, 9);
    expect(wider.meanCiHigh).toBeCloseTo(5 + half, 9);
  });

  it('gives no mean interval rather than a zero-width one when every answer is the same', () => {
    const summary = summarize('ces', counts({ 7: 12 }));
    expect(summary.mean).toBe(7);
    expect(summary.meanCiLow).toBeNull();
    expect(summary.meanCiHigh).toBeNull();
    // the agree share's Wilson interval still has a width
    expect(summary.ciHigh! - summary.ciLow!).toBeGreaterThan(0);
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
});

describe('changes between periods', () => {
  it('finds +200 between 40 all-promoters and 40 all-detractors significant (adjusted estimates)', () => {
    // NPS' = ±40/43, Var = 0.0023210 each: z = (80/43) / √0.0046420 = 27.31
    const result = comparePeriods('nps', counts({ 10: 40 }), counts({ 0: 40 }));
    expect(result.change).toBe(200);
    expect(result.test).toBe('adjusted-wald-z');
    expect(result.z).toBeCloseTo(27.31, 2);
    expect(result.p).toBeLessThan(1e-100);
    expect(result.significant).toBe(true);
  });

  it('does not find 8 promoters against 4 promoters and 4 passives significant', () => {
    // NPS': 8/11 vs 4/11, Var 0.030428 and 0.033434: z = (4/11) / √0.063862 = 1.439
    const nps = comparePeriods('nps', counts({ 10: 8 }), counts({ 10: 4, 8: 4 }));
    expect(nps.z).toBeCloseTo(1.439, 3);
    expect(nps.lowN).toBe(true);
    expect(nps.significant).toBe(false);
    // the same split as a share: z = 2.83 by the normal approximation, but the counts are small,
    // so Fisher's exact test: p = 2 · C(12,8)·C(4,0) / C(16,8) = 990 / 12870 = 0.0769
    const share = comparePeriods('csat', counts({ 5: 8 }), counts({ 5: 4, 3: 4 }));
    expect(share.test).toBe('fisher-exact');
    expect(share.p).toBeCloseTo(990 / 12870, 9);
    expect(share.significant).toBe(false);
  });

  it('uses the exact test when an expected count is below 5, even at n ≥ 30', () => {
    // 30 of 30 against 26 of 30: z ≈ 2.07 by the normal approximation, but 2 expected "no" per
    // period; Fisher: p = 2 · C(30,0)·C(30,4) / C(60,4) ≈ 0.1124
    const result = comparePeriods('csat', counts({ 5: 30 }), counts({ 5: 26, 1: 4 }));
    expect(result.lowN).toBe(false);
    expect(result.test).toBe('fisher-exact');
    expect(result.z).toBeNull();
    expect(result.p).toBeCloseTo((2 * 27_405) / 487_635, 9);
    expect(result.significant).toBe(false);
  });

  it('flags a CSAT move from 60 % to 80 % on 100 answers each (pooled z = 3.09)', () => {
    const result = comparePeriods('csat', counts({ 5: 80, 1: 20 }), counts({ 5: 60, 1: 40 }));
    expect(result.change).toBeCloseTo(20, 9);
    expect(result.test).toBe('two-proportion-z');
    expect(result.z).toBeCloseTo(3.09, 2);
    expect(result.p).toBeCloseTo(0.002, 3);
    expect(result.significant).toBe(true);
  });

  it('never flags a change when either period is low-n, however large', () => {
    const result = comparePeriods('nps', counts({ 10: 29 }), counts({ 0: 40 }));
    expect(result.z).toBeGreaterThan(10);
    expect(result.lowN).toBe(true);
    expect(result.significant).toBe(false);
  });

  it('has nothing to say when a period has no answers', () => {
    expect(comparePeriods('nps', counts({ 10: 3 }), counts({}))).toEqual({
      change: null,
      significant: false,
      z: null,
      p: null,
      test: null,
      lowN: true,
    });
  });

  it('has two-sided p values that match the tables', () => {
    expect(twoSidedNormalP(1.959963984540054)).toBeCloseTo(0.05, 6);
    expect(twoSidedNormalP(-2.5758293035489)).toBeCloseTo(0.01, 6);
    expect(twoSidedNormalP(0)).toBeCloseTo(1, 6);
    // R: fisher.test(matrix(c(3, 1, 1, 3), 2))$p.value = 0.4857
    expect(fisherExactTwoSided(3, 4, 1, 4)).toBeCloseTo(0.4857, 4);
  });
});

describe('properties of every interval', () => {
  for (const metric of ['nps', 'csat', 'ces'] as const) {
    const [low, high] = metric === 'nps' ? [-100, 100] : [0, 100];
    it(`${metric}: agrees with the reference; the interval lies within the scale, has a width, and holds its estimate`, () => {
      fc.assert(
        fc.property(answersOf(metric), (answers) => {
          const summary = summarize(metric, histogram(answers));
          expect(summary.n).toBe(answers.length);
          expect(summary.score).toBeCloseTo(reference(metric, answers), 9);
          expect(summary.lowN).toBe(answers.length < 30);
          expect(summary.ciLow!).toBeGreaterThanOrEqual(low);
          expect(summary.ciHigh!).toBeLessThanOrEqual(high);
          expect(summary.ciHigh! - summary.ciLow!).toBeGreaterThan(0);
          // NPS: the interval is centred on NPS' (it need not hold the plain NPS at small n:
          // 1 promoter gives NPS 100 and [−48.5, 98.5]); Wilson holds the observed share.
          const estimate = metric === 'nps' ? summary.adjustedScore! : summary.score!;
          expect(summary.ciLow! - 1e-9).toBeLessThanOrEqual(estimate);
          expect(summary.ciHigh! + 1e-9).toBeGreaterThanOrEqual(estimate);
          if (metric === 'ces') {
            const mean = answers.reduce((a, b) => a + b, 0) / answers.length;
            expect(summary.mean).toBeCloseTo(mean, 9);
            if (summary.meanCiLow !== null) {
              expect(summary.meanCiLow!).toBeGreaterThanOrEqual(1);
              expect(summary.meanCiHigh!).toBeLessThanOrEqual(7);
              expect(summary.meanCiHigh! - summary.meanCiLow!).toBeGreaterThan(0);
              expect(summary.meanCiLow! - 1e-9).toBeLessThanOrEqual(mean);
              expect(summary.meanCiHigh! + 1e-9).toBeGreaterThanOrEqual(mean);
            } else {
              expect(new Set(answers).size).toBe(1); // only when the t interval cannot exist
            }
          }
        }),
      );
    });

    it(`${metric}: the interval shrinks as n grows for the same shares`, () => {
      fc.assert(
        fc.property(answersOf(metric, 60), fc.integer({ min: 2, max: 20 }), (answers, k) => {
          // k copies of the same answers: the same shares on k times the answers
          const once = summarize(metric, histogram(answers));
          const more = summarize(
            metric,
            histogram(Array.from({ length: k }, () => answers).flat()),
          );
          expect(more.ciHigh! - more.ciLow!).toBeLessThan(once.ciHigh! - once.ciLow!);
        }),
      );
    });
  }
});
