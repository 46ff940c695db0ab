/** `demo`: simulated days of interactions and answers. */
import { runDemo } from '../../local/demo.js';
import { withLocalRuntime, positiveInt } from '../shared.js';
import type { CommandInput } from '../command.js';
import type { demo as spec } from '../commands.js';

export async function run(input: CommandInput<typeof spec>): Promise<number> {
  const { values } = input;
  const days = positiveInt(values.days, '--days') ?? 7;
  const seed = positiveInt(values.seed, '--seed');
  // Progress on stderr, and only to a terminal: stdout stays the result, a pipe stays clean.
  const onDay = process.stderr.isTTY
    ? (day: number, of: number) => process.stderr.write(`\rdemo: day ${day} of ${of} replayed`)
    : undefined;
  const result = await withLocalRuntime(
    (rt) => runDemo(rt, { days, now: new Date(), seed, ...(onDay ? { onDay } : {}) }),
    { signing: true },
  );
  if (onDay) process.stderr.write('\n');
  process.stdout.write(
    `demo: ${result.interactions} interactions, ${result.sent} surveys sent, ${result.answered} answered ` +
      `(${result.from.slice(0, 10)} … ${result.to.slice(0, 10)}).\nNext: npx afterword rollup --days ${days + 1} && npx afterword report\n`,
  );
  return 0;
}
