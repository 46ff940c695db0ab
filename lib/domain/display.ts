/**
 * How numbers are shown to people (report table, digest, dashboard): intervals as [low, high],
 * because they are not symmetric around the score, and low-n marked wherever a score appears.
 */

/** `[low, high]` to one decimal, or `–` when there is no interval. */
export function formatInterval(low: number | null, high: number | null, digits = 1): string {
  if (low === null || high === null) return '–';
  return `[${low.toFixed(digits)}, ${high.toFixed(digits)}]`;
}

/** A rate (0…1) as a whole percent. */
export function formatRate(rate: number): string {
  return `${(rate * 100).toFixed(0)} %`;
}

/** "40.0 [−30.3, 61.1] (n = 10, low n)": a score, its 95 % interval, its n and the low-n mark. */
export function formatScore(
  score: number | null,
  interval: { low: number | null; high: number | null },
  n: number,
  lowN: boolean,
  unit = '',
): string {
  if (score === null) return 'no answers';
  return `${score.toFixed(1)}${unit} ${formatInterval(interval.low, interval.high)} (n = ${n}${lowN ? ', low n' : ''})`;
}
