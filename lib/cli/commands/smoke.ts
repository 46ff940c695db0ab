/** `smoke`: one survey end to end, locally or on a deployed stack. */
import { INTERACTION_COMPLETED } from '../../contracts/interaction.js';
import { LOCAL_BUS_NAME, portsFromEnv } from '../../local/settings.js';
import { CLI_SOURCE } from '../../contracts/erasure.js';
import {
  describeSmoke,
  runSmoke,
  SmokeFailedError,
  stackSmokeTarget,
  type SmokeReport,
  type SmokeStep,
} from '../smoke.js';
import { inFunction } from '../../adapters/function-scope.js';
import { putOnLocalBus, withLocalRuntime, withRuntime, formatOf, positiveInt } from '../shared.js';
import { UsageError } from '../errors.js';
import type { CommandInput } from '../command.js';
import type { smoke as spec } from '../commands.js';

/** `smoke`: one survey end to end on the local stack, or the deployed one. */
export async function run(input: CommandInput<typeof spec>): Promise<number> {
  const { values } = input;
  const format = formatOf(values.format);
  // A step's wait: the deployed dispatcher runs once a minute, SES's feedback takes seconds more.
  const stepWaitMs = (positiveInt(values.wait, '--wait') ?? (values.stack ? 180 : 30)) * 1000;
  const onStep = process.stderr.isTTY
    ? (step: SmokeStep) =>
        process.stderr.write(`smoke: ${step.step} (+${(step.afterMs / 1000).toFixed(1)} s)\n`)
    : undefined;
  const options = { touchpoint: values.touchpoint, stepWaitMs, ...(onStep ? { onStep } : {}) };
  let report: SmokeReport;
  try {
    if (values.stack) {
      report = await withRuntime(values, (rt, stack) =>
        inFunction('operator', () => runSmoke(stackSmokeTarget(stack!), options)),
      );
    } else {
      if (values.region || values.profile)
        throw new UsageError('--region and --profile go with --stack');
      report = await withLocalRuntime(
        (rt) =>
          runSmoke(
            {
              config: rt.config,
              put: (detail) =>
                putOnLocalBus({
                  EventBusName: LOCAL_BUS_NAME,
                  Source: CLI_SOURCE,
                  DetailType: INTERACTION_COMPLETED,
                  Detail: JSON.stringify(detail),
                }),
              invitation: (id) => rt.invitations.get(id),
              sign: (claims) => rt.signer.sign(claims),
              surveyUrl: `http://127.0.0.1:${portsFromEnv().web}`,
              awaitDelivery: false,
            },
            options,
          ),
        { signing: true },
      );
    }
  } catch (error) {
    if (error instanceof SmokeFailedError && format === 'json') {
      process.stdout.write(
        `${JSON.stringify({ passed: false, step: error.step, error: error.message, ...error.report }, null, 2)}\n`,
      );
    }
    throw error;
  }
  process.stdout.write(
    format === 'json'
      ? `${JSON.stringify({ passed: true, ...report }, null, 2)}\n`
      : `${describeSmoke(report)}\n`,
  );
  return 0;
}
