/** `events`: Afterword's own events, newest first. */
import { resolve } from 'node:path';
import type { EventBridgeEvent } from '../../contracts/interaction.js';
import { FileJournal } from '../../local/dead-letters.js';
import { AFTERWORD_DETAIL_TYPES } from '../../contracts/survey-events.js';
import { dataDir, withRuntime, formatOf, positiveInt } from '../shared.js';
import { UsageError } from '../errors.js';
import type { CommandInput } from '../command.js';
import type { events as spec } from '../commands.js';

export async function run(input: CommandInput<typeof spec>): Promise<number> {
  const { values } = input;
  const format = formatOf(values.format);
  const limit = positiveInt(values.limit, '--limit') ?? 20;
  if (values.type !== undefined && !AFTERWORD_DETAIL_TYPES.includes(values.type)) {
    throw new UsageError(
      `--type must be one of ${AFTERWORD_DETAIL_TYPES.map((t) => `"${t}"`).join(', ')}, got "${values.type}"`,
    );
  }
  const logged = values.stack
    ? await withRuntime(values, (_rt, stack) => stack!.events({ type: values.type, limit }))
    : new FileJournal<EventBridgeEvent>(resolve(dataDir(), 'events.jsonl'))
        .list()
        .filter((event) => !values.type || event['detail-type'] === values.type)
        .reverse()
        .slice(0, limit);
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(logged, null, 2)}\n`);
    return 0;
  }
  if (!logged.length) {
    process.stdout.write('no events yet\n');
    return 0;
  }
  for (const event of logged) {
    process.stdout.write(
      `${event.time}  ${event['detail-type']}\n  ${JSON.stringify(event.detail)}\n`,
    );
  }
  return 0;
}
