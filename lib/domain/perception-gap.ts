/**
 * The perception gap (issue 21): the score a touchpoint's owner expects customers to give, set
 * against the score customers gave. The owner's expectation is flagged exactly when it lies
 * outside the measured 95 % interval: inside it, the answers cannot tell the two apart.
 */

/** A calendar month, `YYYY-MM`: the period an expectation is recorded for. */
export const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export interface PerceptionGap {
  /** The month the expectation is for. */
  month: string;
  expected: number;
  /** The measured score over the period read, its 95 % interval and answers; null: no answers. */
  measured: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  n: number;
  /** measured − expected: negative when customers report worse than the owner expects. */
  gap: number | null;
  /** The expectation lies outside the measured interval (never with no answers). */
  outside: boolean;
}

export function perceptionGap(
  month: string,
  expected: number,
  measured: { score: number | null; ciLow: number | null; ciHigh: number | null; n: number },
): PerceptionGap {
  const { score, ciLow, ciHigh, n } = measured;
  const known = score !== null && ciLow !== null && ciHigh !== null;
  return {
    month,
    expected,
    measured: score,
    ciLow,
    ciHigh,
    n,
    gap: known ? score - expected : null,
    outside: known && (expected < ciLow || expected > ciHigh),
  };
}

/** One line for people: the expectation, the measure, and what the gap says. */
export function describeGap(gap: PerceptionGap, unit = ''): string {
  const expected = `owner expected ${gap.expected}${unit} for ${gap.month}`;
  if (gap.measured === null || gap.ciLow === null || gap.ciHigh === null) {
    return `${expected}; no answers to compare`;
  }
  const measured = `customers gave ${gap.measured.toFixed(1)}${unit} [${gap.ciLow.toFixed(1)}, ${gap.ciHigh.toFixed(1)}] (n = ${gap.n})`;
  if (!gap.outside) return `${expected}; ${measured}: within the interval`;
  const side = gap.measured < gap.expected ? 'worse' : 'better';
  return `${expected}; ${measured}: customers report ${side} than expected`;
}

/** The month an instant or a day (`YYYY-MM-DD…`) falls in. */
export const monthOf = (day: string) => day.slice(0, 7);
