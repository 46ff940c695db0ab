/**
 * Owners' expectations (the perception gap, issue 21): what each touchpoint's owner expects for a
 * month, recorded on the dashboard or, for the local stack, in the programs config. A recorded one
 * wins over the config's.
 */
import { MONTH, monthOf } from '../domain/perception-gap.js';
import { scoreRangeOf } from '../domain/metric.js';
import { dayOf } from '../domain/time.js';
import type { Needs, RuntimePart } from '../runtime.js';

export const EXPECTATIONS_USES = [
  'config',
  'expectations',
  'programFor',
] as const satisfies readonly RuntimePart[];
export type ExpectationsDeps = Needs<typeof EXPECTATIONS_USES>;

/** Each touchpoint's expected score for `month`, where its owner gave one. */
export async function expectationsFor(
  rt: ExpectationsDeps,
  month: string,
  touchpoints: string[],
): Promise<Map<string, number>> {
  const recorded: Map<string, { score: number }> = touchpoints.length
    ? await rt.expectations.ofMonth(month, touchpoints)
    : new Map<string, { score: number }>();
  const expected = new Map<string, number>();
  for (const touchpoint of touchpoints) {
    const value =
      recorded.get(touchpoint)?.score ?? rt.programFor(touchpoint)?.expectations?.[month];
    if (value !== undefined) expected.set(touchpoint, value);
  }
  return expected;
}

export class InvalidExpectationError extends Error {
  override name = 'InvalidExpectationError';
}

/**
 * Records an owner's expected score, checked as the config checks it: a program's touchpoint, a
 * month, a score on the metric's scale (whoever may see the touchpoint may record it: the caller
 * checks that), for this month or a later one.
 */
export async function recordExpectation(
  rt: ExpectationsDeps,
  input: { touchpoint: string; month: string; score: string; by: string; at: Date },
): Promise<number> {
  const program = rt.programFor(input.touchpoint);
  if (!program) throw new InvalidExpectationError(`no program surveys "${input.touchpoint}"`);
  if (!MONTH.test(input.month)) {
    throw new InvalidExpectationError(`"${input.month}" is not a month (YYYY-MM)`);
  }
  // An expectation is said before the answers are in: a month that has ended is closed, or an
  // expectation set after reading the results could hide the very gap it is there to show.
  const current = monthOf(dayOf(input.at, rt.config.timeZone));
  if (input.month < current) {
    throw new InvalidExpectationError(
      `${input.month} has ended: expectations are recorded for this month (${current}) or a later one`,
    );
  }
  const [low, high] = scoreRangeOf(program.metric);
  const score = /^-?\d{1,3}(\.\d{1,2})?$/.test(input.score.trim()) ? Number(input.score) : NaN;
  if (!(score >= low && score <= high)) {
    throw new InvalidExpectationError(
      `the expected score must be a number from ${low} to ${high} for ${program.metric.toUpperCase()}`,
    );
  }
  await rt.expectations.record({
    touchpoint: input.touchpoint,
    month: input.month,
    score,
    by: input.by,
    at: input.at.toISOString(),
  });
  return score;
}
