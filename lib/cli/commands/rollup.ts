/** `rollup`: the local rollups recomputed. */
import { rollup, rollupWindowDays } from '../../usecases/rollup.js';
import { withLocalRuntime, day, positiveInt } from '../shared.js';
import type { CommandInput } from '../command.js';
import type { rollup as spec } from '../commands.js';

export async function run(input: CommandInput<typeof spec>): Promise<number> {
  const { values } = input;
  const lastDay = day(values.date, '--date');
  const result = await withLocalRuntime((rt) =>
    rollup(rt, {
      now: new Date(),
      days: positiveInt(values.days, '--days') ?? (lastDay ? 1 : rollupWindowDays(rt.config)),
      lastDay,
      fromItems: values['from-items'] === true,
    }),
  );
  process.stdout.write(
    `rolled up ${result.days[0]} … ${result.days.at(-1)}: ${result.rows} rows\n`,
  );
  return 0;
}
