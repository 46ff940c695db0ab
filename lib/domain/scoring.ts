/**
 * Metric maths, exactly as shared/metrics.md defines it, computed from a score histogram
 * (`counts[score]` = number of answers with that score). A histogram is a sufficient statistic,
 * so rollups can be re-aggregated over any grouping without losing exactness.
 */
import { SCALES, type Metric } from './metric.js';

const Z95 = 1.959963984540054;
export const LOW_N = 30;

export type IntervalMethod = 'wald' | 'adjusted-wald' | 'wilson' | 't';

export interface MetricSummary {
  metric: Metric;
  n: number;
  /** NPS in points (−100…100); CSAT top-2-box or CES agree share in percent (0…100). */
  score: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  margin: number | null;
  interval: IntervalMethod | null;
  lowN: boolean;
  /** CES only: the mean score and its t-interval. */
  mean?: number | null;
  meanCiLow?: number | null;
  meanCiHigh?: number | null;
}

export function emptyHistogram(): number[] {
  return new Array<number>(11).fill(0);
}

export function addHistograms(a: number[], b: number[]): number[] {
  return a.map((value, i) => value + (b[i] ?? 0));
}

export function summarize(metric: Metric, counts: number[]): MetricSummary {
  const { min, max } = SCALES[metric];
  let n = 0;
  for (let s = min; s <= max; s++) n += counts[s] ?? 0;
  const countBetween = (from: number, to: number) => {
    let total = 0;
    for (let s = from; s <= to; s++) total += counts[s] ?? 0;
    return total;
  };
  const base = { metric, n, lowN: n < LOW_N };
  if (n === 0) {
    return { ...base, score: null, ciLow: null, ciHigh: null, margin: null, interval: null };
  }
  if (metric === 'nps') {
    return { ...base, ...npsInterval(countBetween(9, 10), countBetween(0, 6), n) };
  }
  const agree = metric === 'csat' ? countBetween(4, 5) : countBetween(5, 7);
  const share = wilson(agree, n);
  if (metric === 'csat') return { ...base, ...share };
  return { ...base, ...share, ...meanInterval(counts, min, max, n) };
}

/**
 * NPS with its 95 % interval: the Wald variance (p + d − (p − d)²)/n for n ≥ 30, and the
 * adjusted-Wald interval (¾ pseudo-answer added to promoters and to detractors, 3/2 to n) below,
 * where the plain one is too narrow.
 */
export function npsInterval(promoters: number, detractors: number, n: number) {
  const score = ((promoters - detractors) / n) * 100;
  const adjusted = n < LOW_N;
  const [P, D, N] = adjusted
    ? [promoters + 0.75, detractors + 0.75, n + 1.5]
    : [promoters, detractors, n];
  const p = P / N;
  const d = D / N;
  const centre = (p - d) * 100;
  const margin = Z95 * Math.sqrt((p + d - (p - d) ** 2) / N) * 100;
  return {
    score,
    margin,
    ciLow: Math.max(-100, centre - margin),
    ciHigh: Math.min(100, centre + margin),
    interval: (adjusted ? 'adjusted-wald' : 'wald') as IntervalMethod,
  };
}

/** A share in percent with its Wilson score interval. */
export function wilson(successes: number, n: number) {
  const p = successes / n;
  const z2 = Z95 * Z95;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return {
    score: p * 100,
    ciLow: Math.max(0, centre - half) * 100,
    ciHigh: Math.min(1, centre + half) * 100,
    margin: half * 100,
    interval: 'wilson' as IntervalMethod,
  };
}

function meanInterval(counts: number[], min: number, max: number, n: number) {
  let sum = 0;
  for (let s = min; s <= max; s++) sum += s * (counts[s] ?? 0);
  const mean = sum / n;
  if (n < 2) return { mean, meanCiLow: null, meanCiHigh: null };
  let squares = 0;
  for (let s = min; s <= max; s++) squares += (counts[s] ?? 0) * (s - mean) ** 2;
  const sd = Math.sqrt(squares / (n - 1));
  const half = studentT975(n - 1) * (sd / Math.sqrt(n));
  return { mean, meanCiLow: mean - half, meanCiHigh: mean + half };
}

/** Two-sided 95 % quantile of Student's t (exact table to 30 degrees of freedom, then Cornish–Fisher). */
export function studentT975(df: number): number {
  const table = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16,
    2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052,
    2.048, 2.045, 2.042,
  ];
  if (df <= 30) return table[Math.max(1, Math.round(df)) - 1]!;
  const z = Z95;
  return (
    z +
    (z ** 3 + z) / (4 * df) +
    (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2) +
    (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3)
  );
}

export interface PeriodComparison {
  /** Current minus previous score, in the metric's points (null when either has no answers). */
  change: number | null;
  /** The intervals support a real change at 95 % (|z| > 1.96). */
  significant: boolean;
  z: number | null;
}

/**
 * Compares two periods' answers: the NPS variance test for NPS (each period's variance
 * (p + d − (p − d)²)/n, as metrics.md defines it), the two-proportion z-test for the CSAT and CES
 * shares.
 */
export function comparePeriods(
  metric: Metric,
  current: number[],
  previous: number[],
): PeriodComparison {
  const a = summarize(metric, current);
  const b = summarize(metric, previous);
  if (a.score === null || b.score === null) return { change: null, significant: false, z: null };
  const change = a.score - b.score;
  let standardError: number;
  if (metric === 'nps') {
    const variance = (counts: number[], n: number) => {
      const p = counts.slice(9, 11).reduce((x, y) => x + y, 0) / n;
      const d = counts.slice(0, 7).reduce((x, y) => x + y, 0) / n;
      return (p + d - (p - d) ** 2) / n;
    };
    standardError = Math.sqrt(variance(current, a.n) + variance(previous, b.n)) * 100;
  } else {
    const pooled = ((a.score / 100) * a.n + (b.score / 100) * b.n) / (a.n + b.n);
    standardError = Math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n)) * 100;
  }
  if (standardError === 0) return { change, significant: false, z: null };
  const z = change / standardError;
  return { change, significant: Math.abs(z) > Z95, z };
}
