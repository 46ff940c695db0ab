/** `customer ID`: a customer's timeline, or an access request (`--format json`). */
import { customerTimeline } from '../../usecases/timeline.js';
import { customerRecord } from '../../usecases/access.js';
import { printable } from '../format.js';
import { withRuntime, formatOf, positiveInt } from '../shared.js';
import { UsageError } from '../errors.js';
import type { CommandInput } from '../command.js';
import type { customer as spec } from '../commands.js';

export async function run(input: CommandInput<typeof spec>): Promise<number> {
  const { values, positionals } = input;
  const customerId = positionals[0];
  if (!customerId) throw new UsageError('customer needs a customer id: afterword customer <id>');
  formatOf(values.format);
  if (values.format === 'json') {
    if (values.limit)
      throw new UsageError('--limit goes with the table: the JSON holds everything');
    // An access request: everything stored about the customer, as one document.
    const record = await withRuntime(values, (rt) => customerRecord(rt, customerId, new Date()));
    process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
    return 0;
  }
  const limit = positiveInt(values.limit, '--limit') ?? 50;
  const entries = await withRuntime(values, (rt) => customerTimeline(rt, customerId, { limit }));
  if (!entries.length) {
    process.stdout.write(`no interactions recorded for customer ${customerId}\n`);
    return 0;
  }
  for (const entry of entries) {
    const detail =
      entry.kind === 'decision'
        ? `${entry.status}${entry.reason ? ` (${entry.reason})` : ''}`
        : entry.kind === 'answered'
          ? `score ${entry.score}${entry.comment ? `: "${entry.comment}"` : ''}`
          : '';
    process.stdout.write(
      printable(
        `${entry.at}  ${entry.kind.padEnd(11)}  ${entry.touchpoint}/${entry.channel}  ${entry.invitationId}  ${detail}`,
      ).trimEnd() + '\n',
    );
  }
  return 0;
}
