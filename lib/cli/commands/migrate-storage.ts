/** `migrate-storage`: a table written by an older version moved onto the current shape. */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inFunction } from '../../adapters/function-scope.js';
import { LegacyOutbox } from '../../store/legacy-outbox.js';
import { DayIndex } from '../../store/day-index.js';
import { addDays, dayBounds, dayOf } from '../../domain/time.js';
import { rollupWindowDays } from '../../usecases/rollup.js';
import { migrateStorage, type MigrationResult } from '../../usecases/migrate-storage.js';
import { formatOf, progress, withRuntime } from '../shared.js';
import type { CommandInput } from '../command.js';
import type { migrateStorage as spec } from '../commands.js';

export async function run(input: CommandInput<typeof spec>): Promise<number> {
  const { values } = input;
  const format = formatOf(values.format);
  const result = await withRuntime(values, (rt) => {
    const doc = DynamoDBDocumentClient.from(rt.dynamodb);
    // The invitations the counters must hold: those of every day the nightly rollup still
    // rewrites, and those planned since (a send time up to 30 days ahead).
    const now = new Date();
    const firstDay = addDays(dayOf(now, rt.config.timeZone), 1 - rollupWindowDays(rt.config));
    const counting = {
      dayIndex: new DayIndex(doc, rt.settings.tableName),
      start: dayBounds(firstDay, rt.config.timeZone).start,
      end: new Date(now.getTime() + 30 * 86_400_000),
    };
    // On AWS, the operator's policy is what allows it (and what the permission contract checks).
    return inFunction('operator', () =>
      migrateStorage(
        new LegacyOutbox(doc, rt.settings.tableName),
        (sofar) => progress(describe(sofar)),
        counting,
      ),
    );
  });
  if (format === 'json') process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`${describe(result)}\n`);
  return 0;
}

function describe(result: MigrationResult): string {
  return `claims moved back to the outbox: ${result.leasesToDue}; expiry entries removed: ${result.expiriesDropped}; moved meanwhile by someone else: ${result.alreadyMoved}; invitations marked for the counters: ${result.markedForCounting}`;
}
