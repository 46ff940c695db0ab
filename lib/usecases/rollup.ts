/**
 * Rollup: rewrites whole days' rows, so a re-run writes identical rows and late answers are
 * counted when their day is written again.
 *
 * Each night rewrites every day whose funnel can still change: an answer counts on its survey's
 * send day whenever it arrives while the link is open, and the link closes `linkExpiry` after the
 * send, which may come `maxLateness` after the planned send time (see `rollupWindowDays`).
 *
 * Primary course for one day (cut in the configured time zone, so 23- or 25-hour days when the
 * clocks change), since issue 19:
 * 1. Read the day's counter cells, which the table's stream keeps (count-stream.ts): the funnel of
 *    the surveys planned that day, the scores and questionnaires of the answers given that day.
 * 2. Judge expiry as of now: a sent survey still open counts expired once every link of its send
 *    hour has closed.
 * 3. Replace the day's stored rows with the result, and its file for BI tools (when exporting).
 *
 * Alternative course (`afterword rollup --from-items`, `recomputeDay`): recompute the day from the
 * invitations themselves, through the day indexes: the check of the counters, and the way back
 * should they ever be wrong.
 */
import { asFunction } from '../adapters/function-scope.js';
import { log } from '../adapters/log.js';
import { Duration } from 'luxon';
import type { AfterwordConfig } from '../config/schema.js';
import { emptyRollupRow, type RollupRow } from '../contracts/report.js';
import { addDays, dayBounds, dayOf, isoDurationMillis } from '../domain/time.js';
import { scoreGroupOf } from '../domain/questionnaire.js';
import type { ValueCount } from '../domain/value.js';
import type { ReviewCount } from '../domain/review.js';
import type { InvitationDayRow } from '../store/invitation-items.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { isExpired } from '../domain/expiry.js';
import { SMOKE_SEGMENT } from '../domain/smoke.js';
import { answerExtras, cellDimensionsOf, rollupRowOf } from '../domain/counters.js';
// registers the counter store, which the rollup reaches (store/parts.ts)
import '../store/counters.js';
import { addIsoDuration } from '../domain/time.js';

/** What rollup reaches of the runtime: its functions are built with these and no more. */
export const ROLLUP_USES = [
  'config',
  'counters',
  'catchUpCounting',
  'dayIndex',
  'exporter',
  'programFor',
  'rollups',
] as const satisfies readonly RuntimePart[];
export type RollupDeps = Needs<typeof ROLLUP_USES>;
/** The recompute from the invitations reaches the day indexes instead of the counters. */
export type RecomputeDeps = Omit<RollupDeps, 'counters' | 'catchUpCounting'>;

/** The fewest days a nightly run recomputes, whatever the programs' link lives. */
export const DEFAULT_ROLLUP_DAYS = 7;

/**
 * How many days, ending today, the nightly run recomputes: the longest a survey's funnel can keep
 * changing, over every program (disabled ones too: their sent links stay open). A survey planned
 * on day D goes out at most `maxLateness` later and its link closes `linkExpiry` after that, so
 * answers and expiries land until D + 1 day + maxLateness + linkExpiry; one more day covers the
 * run's own time (02:30) and a 25-hour day. The example config: 2 + 14 + 2 = 18 days.
 */
export function rollupWindowDays(config: Pick<AfterwordConfig, 'programs'>): number {
  const longest = Math.max(
    0,
    ...config.programs.map((program) =>
      Duration.fromISO(program.linkExpiry).plus(Duration.fromISO(program.maxLateness)).as('days'),
    ),
  );
  return Math.max(DEFAULT_ROLLUP_DAYS, Math.ceil(longest) + 2);
}

/**
 * One day's cells, from its counters (kept from the table's stream), written as its rows. `asOf`
 * is the time expiry is judged at: a survey sent and still unanswered counts as expired once
 * `linkExpiry` has passed after the end of the hour it was sent in (never early, at most an hour
 * late). Locally the stream's counting is brought up to date first; on AWS the counters are a
 * minute or two behind the table (the count function's batching window).
 */
export async function rollupDay(
  rt: Omit<RollupDeps, 'dayIndex'>,
  day: string,
  asOf: Date = new Date(),
): Promise<RollupRow[]> {
  await rt.catchUpCounting();
  return countedDay(rt, day, asOf);
}

/** rollupDay once the counting has caught up (rollupDays catches up once for all its days). */
async function countedDay(
  rt: Omit<RollupDeps, 'dayIndex'>,
  day: string,
  asOf: Date,
): Promise<RollupRow[]> {
  const linkExpiryOf = linkExpiries(rt);
  const rows: RollupRow[] = [];
  for (const { cell, metric, counters } of await rt.counters.day(day)) {
    // A cell whose changes netted out (an answer moved to another day) holds nothing to report.
    if (!Object.values(counters).some((value) => value !== 0)) continue;
    const negative = Object.keys(counters).filter((name) => counters[name]! < 0);
    // Never by the design; would mean a survey counted without its first state (see counters.ts).
    if (negative.length) log.warn('rollup.negative-counter', { day, counters: negative });
    const linkExpiry = linkExpiryOf(cell.touchpoint);
    const expiryOf = (sentHour: string) =>
      linkExpiry
        ? addIsoDuration(new Date(Date.parse(`${sentHour}:00:00Z`) + 3_600_000), linkExpiry)
        : undefined;
    rows.push(rollupRowOf(cell, metric, counters, expiryOf, asOf));
  }
  return store(rt, day, rows);
}

/**
 * The link expiry of a touchpoint's program; a program removed since its surveys went out: their
 * links closed by the config's longest expiry at most.
 */
function linkExpiries(rt: Pick<RollupDeps, 'config' | 'programFor'>) {
  const longest = rt.config.programs
    .map((program) => program.linkExpiry)
    .reduce<string | undefined>(
      (found, next) =>
        found === undefined || isoDurationMillis(next) > isoDurationMillis(found) ? next : found,
      undefined,
    );
  return (touchpoint: string) => rt.programFor(touchpoint)?.linkExpiry ?? longest;
}

/**
 * The day's rows in the stored order, replacing what was stored, and exported; each names the
 * currency of its values (revenue at risk) as the program's setting has it now.
 */
async function store(
  rt: Pick<RollupDeps, 'rollups' | 'exporter' | 'programFor'>,
  day: string,
  cells: RollupRow[],
): Promise<RollupRow[]> {
  const order = (row: RollupRow) =>
    [row.touchpoint, row.channel, row.segment, row.journeyId, row.journeyStep].join('#');
  const rows = [...cells]
    .sort((a, b) => order(a).localeCompare(order(b)))
    .map((row) => ({
      ...row,
      valueCurrency: rt.programFor(row.touchpoint)?.value?.currency ?? null,
    }));
  await rt.rollups.replaceDay(day, rows);
  await rt.exporter?.put(day, rows);
  return rows;
}

/**
 * One day's cells, recomputed from its invitations and answers through the day indexes (expiry
 * judged to the second), written as its rows: `afterword rollup --from-items`, and the counters'
 * check.
 */
export async function recomputeDay(
  rt: RecomputeDeps,
  day: string,
  asOf: Date = new Date(),
): Promise<RollupRow[]> {
  const { start, end } = dayBounds(day, rt.config.timeZone);
  const linkExpiryOf = linkExpiries(rt);
  const cells = new Map<string, RollupRow>();
  const cellOf = (row: InvitationDayRow) => {
    const dims = cellDimensionsOf(row);
    const key = Object.values(dims).join('\u0000');
    let cell = cells.get(key);
    if (!cell) {
      cell = emptyRollupRow({ day, ...dims, metric: row.metric ?? null });
      cells.set(key, cell);
    }
    cell.metric ??= row.metric ?? null;
    return cell;
  };

  await rt.dayIndex.forEachPage('invitations', start, end, (page) => {
    for (const row of page) {
      // `afterword smoke`'s surveys prove the stack works; they are nobody's experience.
      if (row.segment === SMOKE_SEGMENT) continue;
      const cell = cellOf(row);
      if (row.status === 'skipped' || row.status === 'cancelled') {
        const reason = row.reason ?? 'unknown';
        cell.skipped[reason] = (cell.skipped[reason] ?? 0) + 1;
        continue;
      }
      cell.invited += 1;
      if (row.status === 'failed') cell.failed += 1;
      if (row.status === 'unknown') cell.unknown += 1;
      if (isExpired(row, asOf, linkExpiryOf(row.touchpoint))) cell.expired += 1;
      // Only sent surveys count further down the funnel, so answered ≤ sent always holds.
      if (!row.sentAt) continue;
      cell.sent += 1;
      if (row.deliveredAt) cell.delivered += 1;
      if (row.bouncedAt) cell.bounced += 1;
      if (row.complainedAt) cell.complained += 1;
      if (row.deliveredAt || row.bouncedAt || row.complainedAt) cell.outcomeKnown += 1;
      if (row.answeredAt) cell.answered += 1;
    }
  });
  await rt.dayIndex.forEachPage('answers', start, end, (page) => {
    for (const row of page) {
      if (row.score === undefined || row.segment === SMOKE_SEGMENT) continue;
      const cell = cellOf(row);
      cell.scores[row.score] = (cell.scores[row.score] ?? 0) + 1;
      const metric = row.metric ?? cell.metric;
      if (row.counted && metric) {
        countQuestions(cell, scoreGroupOf(metric, row.score), row.counted);
      }
      // as the counters do (domain/counters.ts)
      for (const [name, amount] of Object.entries(answerExtras({ ...row, score: row.score })) as [
        ValueCount | ReviewCount,
        number,
      ][]) {
        cell[name] += amount;
      }
    }
  });

  return store(rt, day, [...cells.values()]);
}

/**
 * Adds one answer's questionnaire to its cell: per question and option, by score group. Own keys
 * only: an id such as "constructor" must not find Object's prototype.
 */
function countQuestions(cell: RollupRow, group: string, counted: Record<string, string[]>) {
  const entry = <T>(record: Record<string, T>, key: string, empty: () => T): T => {
    if (!Object.hasOwn(record, key)) record[key] = empty();
    return record[key]!;
  };
  const add = (record: Record<string, number>) => {
    record[group] = (Object.hasOwn(record, group) ? record[group]! : 0) + 1;
  };
  for (const [questionId, options] of Object.entries(counted)) {
    const counts = entry(cell.questions, questionId, () => ({ answered: {}, options: {} }));
    add(counts.answered);
    for (const option of options) add(entry(counts.options, option, () => ({})));
  }
}

/** The nightly recompute, as the rollup function. */
export function rollup(...args: Parameters<typeof rollupDays>): ReturnType<typeof rollupDays> {
  return asFunction('rollup', () => rollupDays(...args));
}

/**
 * Rewrites the `days` days (default: `rollupWindowDays`) ending with `lastDay` (default: today in
 * the rollup time zone), as of `now`: from the counters, or recomputed from the invitations
 * (`fromItems`).
 */
async function rollupDays(
  rt: RollupDeps,
  options: { now: Date; days?: number; lastDay?: string; fromItems?: boolean },
): Promise<{ days: string[]; rows: number }> {
  const lastDay = options.lastDay ?? dayOf(options.now, rt.config.timeZone);
  const count = options.days ?? rollupWindowDays(rt.config);
  const days = Array.from({ length: count }, (_, i) => addDays(lastDay, i - count + 1));
  // The counters stand for a day only from the day they hold every invitation of, cut in the
  // zone they were counted in: other days (before `afterword migrate-storage` recorded it, a
  // window grown past it, a changed time zone) are recomputed from the invitations.
  const coverage = options.fromItems ? undefined : await rt.counters.coverage();
  const counted = (day: string) =>
    coverage !== undefined && coverage.timeZone === rt.config.timeZone && day >= coverage.since;
  if (!options.fromItems && days.some((day) => !counted(day))) {
    log.warn('rollup.counters-not-covering', {
      since: coverage?.since ?? null,
      sameTimeZone: coverage ? coverage.timeZone === rt.config.timeZone : null,
    });
  }
  const fromCounters = days.filter(counted).length;
  if (fromCounters) await rt.catchUpCounting();
  let rows = 0;
  for (const day of days) {
    rows += (await (counted(day) ? countedDay : recomputeDay)(rt, day, options.now)).length;
  }
  log.info('rollup.done', { from: days[0], to: lastDay, rows, daysFromCounters: fromCounters });
  return { days, rows };
}
