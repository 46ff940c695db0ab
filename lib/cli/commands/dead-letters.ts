/** `dead-letters`: what failed, and its replay. */
import { resolve } from 'node:path';
import { LOCAL_BUS_NAME } from '../../local/settings.js';
import { printable } from '../format.js';
import { LocalDeadLetters, type QueueReplay } from '../replay.js';
import { inFunction } from '../../adapters/function-scope.js';
import { dataDir, putOnLocalBus, withRuntime, formatOf } from '../shared.js';
import { UsageError } from '../errors.js';
import type { CommandInput } from '../command.js';
import type { deadLetters as spec } from '../commands.js';

export async function run(input: CommandInput<typeof spec>): Promise<number> {
  const { values } = input;
  const format = formatOf(values.format);
  if (values.replay) return replayDeadLetters(values, format);
  if (values.stack) {
    const queues = await withRuntime(values, (_rt, stack) => stack!.deadLetters());
    if (format === 'json') {
      process.stdout.write(`${JSON.stringify(queues, null, 2)}\n`);
      return 0;
    }
    for (const { queue, count, errors } of queues) {
      process.stdout.write(`${queue}: ${count} message(s)\n`);
      for (const { at, error } of errors) process.stdout.write(`  ${at}  ${printable(error)}\n`);
    }
    return 0;
  }
  const letters = localDeadLetters().waiting();
  if (format === 'json') {
    // What failed and why, with the event as delivered: the same the table shows, and the event.
    process.stdout.write(`${JSON.stringify(letters, null, 2)}\n`);
    return 0;
  }
  if (!letters.length) {
    process.stdout.write('no dead letters\n');
    return 0;
  }
  for (const letter of letters) {
    process.stdout.write(
      `${letter.at}  rule ${letter.rule} → ${letter.target}  after ${letter.attempts} attempt(s)\n  ${printable(letter.error).replaceAll('\n', '\n  ')}\n`,
    );
  }
  return 0;
}

function localDeadLetters(): LocalDeadLetters {
  return new LocalDeadLetters(resolve(dataDir(), 'dead-letters.jsonl'));
}

/** `dead-letters --replay`: the local bus's dead letters put back, or the stack's re-invoked. */
async function replayDeadLetters(
  values: { stack?: string; region?: string; profile?: string },
  format: 'table' | 'json',
): Promise<number> {
  let results: QueueReplay[];
  if (values.stack) {
    results = await withRuntime(values, (_rt, stack) =>
      inFunction('operator', () => stack!.replayDeadLetters()),
    );
  } else {
    if (values.region || values.profile)
      throw new UsageError('--region and --profile go with --stack');
    const { replayed, failed } = await localDeadLetters().replay(putOnLocalBus, (bus) =>
      bus === 'default' ? 'default' : LOCAL_BUS_NAME,
    );
    results = [
      { queue: 'local bus', replayed, kept: failed.length, errors: failed.map((f) => f.error) },
    ];
  }
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    for (const r of results) {
      process.stdout.write(
        `${r.queue}: replayed ${r.replayed}${r.kept ? `, kept ${r.kept}` : ''}\n${r.errors.map((e) => `  ${printable(e)}\n`).join('')}`,
      );
    }
    process.stdout.write(
      "What fails again comes back as a new dead letter (on AWS after the function's own retries).\n",
    );
  }
  return results.some((r) => r.errors.length) ? 1 : 0;
}
