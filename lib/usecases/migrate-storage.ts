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
 *    is in then, once (the mark is conditional on its absence).
 * Reminders (`REMIND`) keep working as they are.
 */
import type { DayIndex } from '../store/day-index.js';
import type { LegacyOutbox, LegacyEntry } from '../store/legacy-outbox.js';
import type { LegacyWorkQueue } from '../store/invitation-items.js';
import type { OutboxPosition } from '../store/outbox.js';

export interface MigrationResult {
  /** Claims moved from LEASE back to DUE. */
  leasesToDue: number;
  /** EXPIRE entries removed. */
  expiriesDropped: number;
  /** Entries that had moved on by the time their move was tried (settled meanwhile). */
  alreadyMoved: number;
  /** Invitations marked for the counters now (those marked before are not counted). */
  markedForCounting: number;
}

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
  counting?: { dayIndex: DayIndex; start: Date; end: Date },
): Promise<MigrationResult> {
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
    await counting.dayIndex.forEachPage('invitations', from, to, (rows) => {
      for (const row of rows) ids.push(row.invitationId);
    });
    for (const id of ids) {
      if (await legacy.markForCounting(id)) result.markedForCounting += 1;
    }
    onProgress({ ...result });
    from = to;
  }
  return result;
}
