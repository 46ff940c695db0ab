/**
 * `afterword migrate-storage`: the one-shot move of a table written by the shape before issue 19
 * onto the current one. Run it after deploying this version, once the old version's last ticks
 * have ended (its dispatch timeout and lease, a few minutes), and again until it moves nothing: an
 * old dispatcher still running can write an old entry after a pass. It is safe to run again and
 * after a crash: every move is conditional on the entry still being where the old shape put it,
 * so it moves what is left and nothing twice.
 *
 * 1. Claims held under the old shape (`LEASE`) go back to `DUE` at their lease's end: the
 *    dispatcher settles them there (an abandoned one becomes `unknown`, as before).
 * 2. Sent surveys waiting for their expiry (`EXPIRE`) leave the index: expiry is derived now.
 * 3. Invitations decided before the stream's counters, of the days the nightly rollup still
 *    rewrites (and those planned after), are marked `inCounters`: the counters add the state each
 *    is in then, once (the mark is conditional on its absence). Only once the table's stream is
 *    on: a mark nobody counts could never be made again. Then the counters' coverage is recorded:
 *    from the first day of the window on, the rollup reads them; before it, it recomputes.
 * Reminders (`REMIND`) keep working as they are.
 */
import type { AfterwordConfig } from '../config/schema.js';
import { addDays, dayBounds, dayOf, isoDurationMillis } from '../domain/time.js';
import type { DayIndex } from '../store/day-index.js';
import { rollupWindowDays } from './rollup.js';
import type { CounterCoverage, CounterStore } from '../store/counters.js';
// registers the counter store, which the migration reaches (store/parts.ts)
import '../store/counters.js';
import type { LegacyOutbox, LegacyEntry } from '../store/legacy-outbox.js';
import type { LegacyWorkQueue } from '../store/invitation-items.js';
import type { OutboxPosition } from '../store/outbox-queue.js';

export interface MigrationResult {
  /** Claims moved from LEASE back to DUE. */
  leasesToDue: number;
  /** EXPIRE entries removed. */
  expiriesDropped: number;
  /** Entries that had moved on by the time their move was tried (settled meanwhile). */
  alreadyMoved: number;
  /** Invitations marked for the counters now (those marked before are not counted). */
  markedForCounting: number;
  /** From which day the counters hold every invitation (recorded by the first full run). */
  countersSince?: string;
}

/** The counters' part of the migration: which invitations to mark, and the coverage it gives. */
export interface CountingMigration {
  dayIndex: DayIndex;
  counters: CounterStore;
  /** Whether the table's stream is on (with both images), so that marks are counted. */
  streamReady: () => Promise<boolean>;
  /** Decision and planned send times whose invitations are marked. */
  start: Date;
  end: Date;
  /** What the marks give: every invitation of the days from `since`, cut in `timeZone`. */
  coverage: CounterCoverage;
  now: Date;
}

export class CountingNotReadyError extends Error {
  override name = 'CountingNotReadyError';
}

/** Marks written at once: a window of invitations is many round trips. */
const MARKS_AT_ONCE = 16;

/** Entries read per shard and page. */
const PAGE = 100;
const DAY_MS = 86_400_000;

/**
 * Runs the migration on the table `legacy` reads; `counting` names the day index and the span of
 * decision and send times whose invitations the counters must hold.
 */
export async function migrateStorage(
  legacy: LegacyOutbox,
  onProgress: (result: MigrationResult) => void = () => undefined,
  counting?: CountingMigration,
): Promise<MigrationResult> {
  if (counting && !(await counting.streamReady())) {
    throw new CountingNotReadyError(
      "the table's stream is off: deploy this version first (its stream feeds the counters); nothing was changed",
    );
  }
  const result: MigrationResult = {
    leasesToDue: 0,
    expiriesDropped: 0,
    alreadyMoved: 0,
    markedForCounting: 0,
  };
  const drain = async (
    queue: LegacyWorkQueue,
    move: (entry: LegacyEntry) => Promise<boolean>,
    counter: 'leasesToDue' | 'expiriesDropped',
  ) => {
    // Each page reads on from the last (per shard), so entries the index still shows after they
    // moved (its lag) are not read again, and the run ends when every shard is read to its end.
    const position: OutboxPosition = new Map();
    for (;;) {
      const entries = await legacy.entries(queue, PAGE, position);
      if (!entries.length) return;
      for (const entry of entries) {
        if (await move(entry)) result[counter] += 1;
        else result.alreadyMoved += 1;
      }
      onProgress({ ...result });
    }
  };
  await drain('LEASE', (entry) => legacy.leaseToDue(entry), 'leasesToDue');
  await drain('EXPIRE', (entry) => legacy.dropExpiry(entry), 'expiriesDropped');
  // A day at a time, so memory holds one day's ids, not the window's.
  for (let from = counting?.start; counting && from && from < counting.end;) {
    const to = new Date(Math.min(from.getTime() + DAY_MS, counting.end.getTime()));
    const ids: string[] = [];
    // Only versions before the counters wrote byDay; every invitation since is marked already.
    await counting.dayIndex.forEachPage(
      'invitations',
      from,
      to,
      (rows) => {
        for (const row of rows) ids.push(row.invitationId);
      },
      { only: 'byDay' },
    );
    for (let at = 0; at < ids.length; at += MARKS_AT_ONCE) {
      const marked = await Promise.all(
        ids.slice(at, at + MARKS_AT_ONCE).map((id) => legacy.markForCounting(id)),
      );
      result.markedForCounting += marked.filter(Boolean).length;
    }
    onProgress({ ...result });
    from = to;
  }
  if (counting) {
    result.countersSince = (
      await counting.counters.recordCoverage(counting.coverage, counting.now)
    ).since;
  }
  return result;
}

/**
 * The counters' part for this config, as of `now`: the invitations of every day the nightly
 * rollup rewrites, those planned before them whose answers can still land in them (a link's
 * life and lateness earlier), and those planned since (the longest delay and lateness ahead).
 */
export function countingMigration(
  rt: { config: AfterwordConfig; counters: CounterStore },
  dayIndex: DayIndex,
  now: Date,
): CountingMigration {
  const { timeZone, programs } = rt.config;
  const since = addDays(dayOf(now, timeZone), 1 - rollupWindowDays(rt.config));
  const days = (pick: (program: AfterwordConfig['programs'][number]) => number) =>
    Math.ceil(Math.max(0, ...programs.map(pick)) / DAY_MS) + 2;
  const answersLandFor = days(
    (p) => isoDurationMillis(p.linkExpiry) + isoDurationMillis(p.maxLateness),
  );
  const plannedAhead = days((p) => isoDurationMillis(p.delay) + isoDurationMillis(p.maxLateness));
  return {
    dayIndex,
    counters: rt.counters,
    streamReady: () => rt.counters.streamReady(),
    start: dayBounds(addDays(since, -answersLandFor), timeZone).start,
    end: new Date(now.getTime() + Math.max(30, plannedAhead) * DAY_MS),
    coverage: { since, timeZone },
    now,
  };
}
