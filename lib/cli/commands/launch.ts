/** `launch PROGRAM`: a tracking or periodic run now. */
import { launch } from '../../usecases/tracking-launch.js';
import { withRuntime, singleArgument, progress } from '../shared.js';
import { UsageError } from '../errors.js';
import type { CommandInput } from '../command.js';
import type { launch as spec } from '../commands.js';

/** `launch PROGRAM`: a run now. */
export async function run(input: CommandInput<typeof spec>): Promise<number> {
  const { values, positionals } = input;
  const touchpoint = singleArgument(positionals, 'launch');
  if (values.instant && values.stack) {
    throw new UsageError('--instant is for the local stack: a deployed run keeps its spread');
  }
  progress(`launching ${touchpoint}: reading the directory and drawing the sample`);
  const result = await withRuntime(values, (rt) => {
    // As `start --instant`: due at once, whatever the program's delay, spread and send window.
    if (values.instant) rt.settings.instant = true;
    return launch(rt, touchpoint, new Date());
  });
  const skipped = Object.entries(result.skipped)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  process.stdout.write(
    `${result.touchpoint} ${result.period}: planned ${result.planned}, drawn ${result.drawn} (${result.suppressed} suppressed passed over), scheduled ${result.scheduled}${skipped ? `, skipped ${skipped}` : ''}${result.alreadyInvited ? `, already invited this period ${result.alreadyInvited}` : ''}\n`,
  );
  return 0;
}
