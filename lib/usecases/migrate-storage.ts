/**
 * `afterword migrate-storage`: the one-shot move of a table written by the shape before issue 19
 * onto the current one. Run it once after deploying this version (it is safe to run again, and
 * to run after a crash: every move is conditional on the entry still being where the old shape
 * put it, so it moves what is left and nothing twice).
 *
 * 1. Claims held under the old shape (`LEASE`) go back to `DUE` at their lease's end: the
 *    dispatcher settles them there (an abandoned one becomes `unknown`, as before).
 * 2. Sent surveys waiting for their expiry (`EXPIRE`) leave the index: expiry is derived now.
 * Reminders (`REMIND`) keep working as they are.
 */
import type { LegacyOutbox, LegacyEntry } from '../store/legacy-outbox.js';
import type { LegacyWorkQueue } from '../store/invitation-items.js';

export interface MigrationResult {
  /** Claims moved from LEASE back to DUE. */
  leasesToDue: number;
  /** EXPIRE entries removed. */
  expiriesDropped: number;
  /** Entries that had moved on by the time their move was tried (settled meanwhile). */
  alreadyMoved: number;
}

/** Entries read per shard and page. */
const PAGE = 100;

/** Runs the migration on the table `legacy` reads (its only dependency). */
export async function migrateStorage(
  legacy: LegacyOutbox,
  onProgress: (result: MigrationResult) => void = () => undefined,
): Promise<MigrationResult> {
  const result: MigrationResult = { leasesToDue: 0, expiriesDropped: 0, alreadyMoved: 0 };
  const drain = async (
    queue: LegacyWorkQueue,
    move: (entry: LegacyEntry) => Promise<boolean>,
    counter: 'leasesToDue' | 'expiriesDropped',
  ) => {
    // Each page's entries leave the queue, so the next read starts on what is left. A page of
    // entries that all failed to move (moved by someone else since) ends it: they are gone too.
    for (;;) {
      const entries = await legacy.entries(queue, PAGE);
      if (!entries.length) return;
      let moved = 0;
      for (const entry of entries) {
        if (await move(entry)) {
          result[counter] += 1;
          moved += 1;
        } else result.alreadyMoved += 1;
      }
      onProgress({ ...result });
      if (!moved) return;
    }
  };
  await drain('LEASE', (entry) => legacy.leaseToDue(entry), 'leasesToDue');
  await drain('EXPIRE', (entry) => legacy.dropExpiry(entry), 'expiriesDropped');
  return result;
}
