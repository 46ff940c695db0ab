/**
 * Tracking and periodic programs: when they run (a schedule in the program's zone), which period
 * a run belongs to, how many answers a target margin needs (metrics.md), and a uniform random
 * draw without replacement. Pure functions: the use case (usecases/tracking.ts) reads and writes.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Metric } from './metric.js';
import { WEEKS_OF_MONTH } from './program-parts.js';
import type { ProgramSchedule } from './program.js';
import { WEEKDAYS } from './business-hours.js';

type WeekOfMonth = (typeof WEEKS_OF_MONTH)[number];

/** "Monthly, the first Monday, 10:00 in Europe/London": a program's schedule, its zone resolved. */
export type Schedule = Required<Omit<ProgramSchedule, 'timeZone'>> & { timeZone: string };

/**
 * The period a run at `at` belongs to, named so that a run repeated within it is recognised:
 * `2026-W49`, `2026-12`, `2026-Q4` (in the schedule's zone).
 */
export function periodOf(schedule: Pick<Schedule, 'frequency' | 'timeZone'>, at: Date): string {
  const local = DateTime.fromJSDate(at, { zone: schedule.timeZone });
  if (schedule.frequency === 'weekly') {
    return `${local.weekYear}-W${String(local.weekNumber).padStart(2, '0')}`;
  }
  if (schedule.frequency === 'monthly') return local.toFormat('yyyy-MM');
  return `${local.year}-Q${local.quarter}`;
}

/** The first and last day (YYYY-MM-DD, in the schedule's zone) of the period before `period`'s. */
export function previousPeriodDays(
  schedule: Pick<Schedule, 'frequency' | 'timeZone'>,
  at: Date,
): { from: string; to: string } {
  const local = DateTime.fromJSDate(at, { zone: schedule.timeZone });
  const unit =
    schedule.frequency === 'weekly'
      ? 'week'
      : schedule.frequency === 'monthly'
        ? 'month'
        : 'quarter';
  const start = local.startOf(unit).minus({ [`${unit}s`]: 1 });
  const end = start.endOf(unit);
  return { from: start.toISODate()!, to: end.toISODate()! };
}

const ORDINAL: Record<WeekOfMonth, string> = {
  first: '#1',
  second: '#2',
  third: '#3',
  fourth: '#4',
  last: 'L',
};

/**
 * The EventBridge Scheduler cron expression (evaluated in the schedule's zone): `cron(0 10 ? *
 * MON#1 *)` for monthly on the first Monday at 10:00; quarterly runs in January, April, July and
 * October.
 */
export function cronExpression(schedule: Schedule): string {
  const [hour, minute] = schedule.time.split(':').map(Number) as [number, number];
  const day = schedule.day.toUpperCase();
  if (schedule.frequency === 'weekly') return `cron(${minute} ${hour} ? * ${day} *)`;
  const months = schedule.frequency === 'monthly' ? '*' : '1,4,7,10';
  const which = schedule.week === 'last' ? `${day}L` : `${day}${ORDINAL[schedule.week]}`;
  return `cron(${minute} ${hour} ? ${months} ${which} *)`;
}

/** The next run strictly after `after`, as the cron expression would fire (for the local stack). */
export function nextRun(schedule: Schedule, after: Date): Date {
  const [hour, minute] = schedule.time.split(':').map(Number) as [number, number];
  const weekday = WEEKDAYS.indexOf(schedule.day) + 1; // luxon: Monday 1 … Sunday 7
  let cursor = DateTime.fromJSDate(after, { zone: schedule.timeZone }).startOf('day');
  for (let i = 0; i < 800; i++, cursor = cursor.plus({ days: 1 })) {
    if (cursor.weekday !== weekday) continue;
    if (schedule.frequency === 'quarterly' && ![1, 4, 7, 10].includes(cursor.month)) continue;
    if (schedule.frequency !== 'weekly') {
      const nth = Math.ceil(cursor.day / 7);
      const last = cursor.plus({ days: 7 }).month !== cursor.month;
      const wanted =
        schedule.week === 'last' ? last : nth === WEEKS_OF_MONTH.indexOf(schedule.week) + 1;
      if (!wanted) continue;
    }
    const run = cursor.set({ hour, minute, second: 0, millisecond: 0 });
    if (run.toMillis() > after.getTime()) return run.toJSDate();
  }
  throw new Error('no run within 800 days');
}

/** metrics.md writes the sample-size formula with 1.96, and its worked examples follow it. */
const SAMPLE_SIZE_Z = 1.96;

/**
 * The answers needed for a 95 % margin of `margin` points (metrics.md): NPS n = 1.96² · (p + d −
 * (p − d)²) / (m / 100)², with the promoter and detractor shares expected (worst case p = d = 0.5,
 * a variance of 1, when there is no earlier period); a CSAT or CES share, the same with p(1 − p)
 * (worst case 0.25). Unrounded: round up once, after dividing by the response rate.
 */
export function answersNeeded(
  metric: Metric,
  margin: number,
  shares?: { good: number; bad: number },
): number {
  const variance =
    metric === 'nps'
      ? shares
        ? shares.good + shares.bad - (shares.good - shares.bad) ** 2
        : 1
      : shares
        ? shares.good * (1 - shares.good)
        : 0.25;
  return (SAMPLE_SIZE_Z ** 2 * variance) / (margin / 100) ** 2;
}

/** The invitations to send for `answers` answers at `responseRate` (0–1], rounded up. */
export function invitationsNeeded(answers: number, responseRate: number): number {
  // A tiny epsilon: 937.35 / 0.25 must be 3,750 even when floating point says 3749.4000000000005.
  return Math.ceil(answers / responseRate - 1e-9);
}

/**
 * The margin `answers` answers give (the inverse of answersNeeded), in points: what a population
 * too small for the target can best achieve.
 */
export function marginFor(
  metric: Metric,
  answers: number,
  shares?: { good: number; bad: number },
): number {
  if (answers <= 0) return Infinity;
  return Math.sqrt(answersNeeded(metric, 100, shares) / answers) * 100;
}

/**
 * A uniform random sample without replacement of `count` items: each gets a random rank, a keyed
 * hash of the run's seed and its id, and the lowest ranks are drawn. Ranks that are independent
 * and uniform make a uniformly random order, whose first `count` are a uniform sample. The rank
 * of a customer does not depend on who else is in the population, so a retried run (Scheduler and
 * Lambda retry) draws the same customers again even when the directory changed in between: at
 * most a newcomer with a low rank joins. `accept` refuses an item (an address found suppressed
 * only when looked at): the draw goes on to the next, which keeps the sample uniform over the
 * accepted items. The input is not changed.
 */
export async function drawWithoutReplacement<T>(
  items: readonly T[],
  count: number,
  {
    seed,
    idOf,
    accept = () => true,
  }: {
    seed: string;
    idOf: (item: T) => string;
    accept?: (item: T) => boolean | Promise<boolean>;
  },
): Promise<{ drawn: T[]; refused: T[] }> {
  const ranked = items
    .map((item) => ({
      item,
      rank: createHash('sha256')
        .update(`${seed}\u0000${idOf(item)}`)
        .digest('hex'),
    }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
  const drawn: T[] = [];
  const refused: T[] = [];
  for (const { item } of ranked) {
    if (drawn.length >= count) break;
    if (await accept(item)) drawn.push(item);
    else refused.push(item);
  }
  return { drawn, refused };
}
