/** `migrate-storage`: a table written by an older version moved onto the current shape. */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inFunction } from '../../adapters/function-scope.js';
import { LegacyOutbox } from '../../store/legacy-outbox.js';
import { DayIndex } from '../../store/day-index.js';
import { EVERY_DAY } from '../../store/table.js';
import {
  countingMigration,
  migrateStorage,
  type MigrationResult,
} from '../../usecases/migrate-storage.js';
import { formatOf, progress, withRuntime } from '../shared.js';
import type { CommandInput } from '../command.js';
import type { migrateStorage as spec } from '../commands.js';

export async function run(input: CommandInput<typeof spec>): Promise<number> {
  const { values } = input;
  const format = formatOf(values.format);
  const result = await withRuntime(values, (rt) => {
    const doc = DynamoDBDocumentClient.from(rt.dynamodb);
    const counting = countingMigration(rt, new DayIndex(doc, rt.settings.tableName), new Date());
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
  return `claims moved back to the outbox: ${result.leasesToDue}; expiry entries removed: ${result.expiriesDropped}; moved meanwhile by someone else: ${result.alreadyMoved}; invitations marked for the counters: ${result.markedForCounting}${sinceText(result.countersSince)}`;
}

/** From which day the nightly rollup reads the counters (a table made with them: every day). */
function sinceText(since: string | undefined): string {
  if (since === undefined) return '';
  return since === EVERY_DAY
    ? '; the nightly rollup reads the counters for every day'
    : `; the nightly rollup reads the counters from ${since} on`;
}
