/**
 * Whether two periods differ: a two-proportion z test, or Fisher's exact test when an expected
 * count is small (metrics.md), with the normal and log-gamma helpers they need.
 */
import type { Metric } from './metric.js';
import {
  ALPHA,
  MIN_EXPECTED_COUNT,
  countBetween,
  agreeing,
  summarize,
  adjustedNps,
  type ComparisonTest,
} from './scoring.js';

export interface PeriodComparison {
  /** Current minus previous score, in the metric's points (null when either has no answers). */
  change: number | null;
  /** p < 0.05 (two-sided) and neither period low-n. */
  significant: boolean;
  /** The z statistic of the z tests (null for the exact test). */
  z: number | null;
  /** Two-sided p value of the test used. */
  p: number | null;
  test: ComparisonTest | null;
  /** Either period has fewer than 30 answers: the change is never flagged significant. */
  lowN: boolean;
}

/**
 * Compares two periods' answers. NPS: z on the adjusted estimates, (NPS'₁ − NPS'₂) / √(Var₁ + Var₂),
 * so identical answers in both periods still have a variance and a +200 swing is seen. CSAT and CES
 * shares: the pooled two-proportion z test, or Fisher's exact test when any expected count of the
 * 2 × 2 table is below 5. Never significant when either period is low-n.
 */
export function comparePeriods(
  metric: Metric,
  current: number[],
  previous: number[],
): PeriodComparison {
  const a = summarize(metric, current);
  const b = summarize(metric, previous);
  const lowN = a.lowN || b.lowN;
  if (a.score === null || b.score === null) {
    return { change: null, significant: false, z: null, p: null, test: null, lowN };
  }
  const change = a.score - b.score;
  const verdict = (test: ComparisonTest, z: number | null, p: number): PeriodComparison => ({
    change,
    significant: !lowN && p < ALPHA,
    z,
    p,
    test,
    lowN,
  });
  if (metric === 'nps') {
    const x = adjustedNps(countBetween(current, 9, 10), countBetween(current, 0, 6), a.n);
    const y = adjustedNps(countBetween(previous, 9, 10), countBetween(previous, 0, 6), b.n);
    const z = (x.estimate - y.estimate) / Math.sqrt(x.variance + y.variance);
    return verdict('adjusted-wald-z', z, twoSidedNormalP(z));
  }
  const agreeA = agreeing(metric, current);
  const agreeB = agreeing(metric, previous);
  if (minExpectedCount(agreeA, a.n, agreeB, b.n) < MIN_EXPECTED_COUNT) {
    return verdict('fisher-exact', null, fisherExactTwoSided(agreeA, a.n, agreeB, b.n));
  }
  const z = twoProportionZ(agreeA, a.n, agreeB, b.n);
  return verdict('two-proportion-z', z, twoSidedNormalP(z));
}

/** Pooled two-proportion z statistic; 0 when both shares are 0 % or both 100 % (no difference). */
export function twoProportionZ(x1: number, n1: number, x2: number, n2: number): number {
  const pooled = (x1 + x2) / (n1 + n2);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return standardError === 0 ? 0 : (x1 / n1 - x2 / n2) / standardError;
}

/** The smallest expected count of the 2 × 2 table (agree / not, period 1 / 2) under no change. */
export function minExpectedCount(x1: number, n1: number, x2: number, n2: number): number {
  const total = n1 + n2;
  const agree = x1 + x2;
  return Math.min(n1, n2) * (Math.min(agree, total - agree) / total);
}

/** Two-sided p of a standard normal statistic: erfc(|z| / √2). */
export function twoSidedNormalP(z: number): number {
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

/**
 * Complementary error function (Chebyshev fit, Numerical Recipes `erfcc`): relative error below
 * 1.2 × 10⁻⁷ everywhere, plenty for a p value.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * Fisher's exact test, two-sided: the probability, with the margins fixed, of every table at most
 * as likely as the one observed (the usual definition, as R's fisher.test).
 */
export function fisherExactTwoSided(x1: number, n1: number, x2: number, n2: number): number {
  const total = n1 + n2;
  const agree = x1 + x2;
  const logDenominator = logChoose(total, n1);
  const logP = (x: number) =>
    logChoose(agree, x) + logChoose(total - agree, n1 - x) - logDenominator;
  const observed = logP(x1);
  let p = 0;
  for (let x = Math.max(0, n1 - (total - agree)); x <= Math.min(agree, n1); x++) {
    const log = logP(x);
    // a relative tolerance, so tables exactly as likely as the observed one are not lost to rounding
    if (log <= observed + 1e-7) p += Math.exp(log);
  }
  return Math.min(1, p);
}

export function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: about 15 significant digits). */
export function logGamma(x: number): number {
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let a = c[0]!;
  const t = y + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i]! / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}
