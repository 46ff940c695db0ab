/** `plan PROGRAM`: a tracking or periodic program's next run, without sending. */
import { plan } from '../../usecases/tracking.js';
import { columns } from '../format.js';
import { formatInterval } from '../../domain/display.js';
import { withRuntime, formatOf, singleArgument } from '../shared.js';
import type { CommandInput } from '../command.js';
import type { plan as spec } from '../commands.js';

/** `plan PROGRAM`: who a run would ask, and how many, without sending. */
export async function run(input: CommandInput<typeof spec>): Promise<number> {
  const { values, positionals } = input;
  const touchpoint = singleArgument(positionals, 'plan');
  formatOf(values.format);
  const result = await withRuntime(values, (rt) => plan(rt, touchpoint, new Date()));
  if (values.format === 'json') {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const pct = (rate: number) => `${(rate * 100).toFixed(0)} %`;
  process.stdout.write(
    [
      `${result.touchpoint} (${result.kind}, ${result.metric}): period ${result.period}, next run ${result.nextRunAt}`,
      `population: ${result.population} customers seen in the last ${result.seenWithinDays} days (left out: ${result.excluded.optedOut} opted out, ${result.excluded.notRecent} not seen recently, ${result.excluded.otherSegment} in other segments, ${result.excluded.noAddress} without an address; suppressed addresses are passed over when drawn)`,
      result.targetMargin === null
        ? 'a periodic run asks the whole population'
        : `target: ±${result.targetMargin} points (95 %)`,
      '',
    ].join('\n') +
      columns(
        result.strata.map((s) => ({
          stratum: s.stratum,
          population: String(s.population),
          'shares from': s.sharesFrom,
          'response rate': `${pct(s.responseRate)} (${s.responseRateFrom})`,
          'answers needed': s.answersNeeded === null ? '-' : String(Math.ceil(s.answersNeeded)),
          invitations: String(s.invitations),
          'expected margin':
            s.expectedMargin === null || !Number.isFinite(s.expectedMargin)
              ? '-'
              : `±${s.expectedMargin.toFixed(1)}`,
        })),
      ) +
      `\ninvitations in all: ${result.invitations}\n` +
      result.strata
        .map((s) => {
          const before = s.previous;
          const who = s.stratum === '*' ? '' : ` (${s.stratum})`;
          if (!before || before.score === null) {
            return `previous period${who}: no answers\n`;
          }
          const target =
            result.targetMargin === null ? '' : ` against the target ±${result.targetMargin}`;
          return `previous period${who} ${before.from} … ${before.to}: ${before.score.toFixed(1)} ${formatInterval(before.ciLow, before.ciHigh)} from ${before.answers} answers, margin achieved ±${before.achievedMargin!.toFixed(1)}${target}\n`;
        })
        .join('') +
      result.strata
        .filter((s) => s.warning)
        .map((s) => `warning: ${s.warning}\n`)
        .join(''),
  );
  return 0;
}
