/** `forget`: a customer erased (GDPR art. 17). */
import { LOCAL_BUS_NAME } from '../../local/settings.js';
import { openStack } from '../stack.js';
import { CLI_SOURCE } from '../../contracts/erasure.js';
import { awaitErasure, describeErasure, erasureRequestFor } from '../forget.js';
import { CUSTOMER_ERASURE_REQUESTED } from '../../contracts/erasure.js';
import type { ErasureRecord } from '../../store/erasures.js';
import { inFunction } from '../../adapters/function-scope.js';
import { randomUUID } from 'node:crypto';
import {
  putOnLocalBus,
  withLocalRuntime,
  asStackError,
  formatOf,
  positiveInt,
  progress,
} from '../shared.js';
import { UsageError } from '../errors.js';
import type { CommandInput } from '../command.js';
import type { forget as spec } from '../commands.js';

export async function run(input: CommandInput<typeof spec>): Promise<number> {
  const { values, positionals } = input;
  if (positionals.length !== 1) {
    throw new UsageError('forget needs one customer id or address: afterword forget <id|email>');
  }
  formatOf(values.format);
  const waitMs = (positiveInt(values.wait, '--wait') ?? 60) * 1000;
  const detail = erasureRequestFor(positionals[0]!, `cli-${randomUUID()}`);
  let record: ErasureRecord | undefined;
  if (!values.stack) {
    if (values.region || values.profile)
      throw new UsageError('--region and --profile go with --stack');
    await putOnLocalBus({
      EventBusName: LOCAL_BUS_NAME,
      Source: CLI_SOURCE,
      DetailType: CUSTOMER_ERASURE_REQUESTED,
      Detail: JSON.stringify(detail),
    });
    progress(`erasure ${detail.requestId} requested; waiting up to ${waitMs / 1000} s for it`);
    record = await withLocalRuntime((rt) =>
      awaitErasure(() => rt.erasures.get(detail.requestId), { waitMs }),
    );
  } else {
    const stack = await openStack({
      stackName: values.stack,
      region: values.region,
      profile: values.profile,
    });
    try {
      await inFunction('privacy', async () => {
        await stack.requestErasure(detail);
        progress(`erasure ${detail.requestId} requested; waiting up to ${waitMs / 1000} s for it`);
        record = await awaitErasure(() => stack.runtime.erasures.get(detail.requestId), {
          waitMs,
        });
      });
    } catch (error) {
      throw asStackError(values.stack, error);
    } finally {
      stack.close();
    }
  }
  if (!record?.completedAt) {
    process.stderr.write(
      `afterword: erasure ${detail.requestId} was requested and has not completed within ${waitMs / 1000} s; it goes on (with retries, then the erasure dead-letter queue: see afterword dead-letters${values.stack ? ` --stack ${values.stack}` : ''})\n`,
    );
    return 1;
  }
  if (record.counts?.customers === 0) {
    process.stderr.write(
      `afterword: erasure ${detail.requestId} matched no customer: an address is looked up in the directory (a customer never surveyed nor imported has no entry there); give the customer id\n`,
    );
    return 1;
  }
  process.stdout.write(
    values.format === 'json'
      ? `${JSON.stringify({ requestId: record.requestId, requestedAt: record.requestedAt, completedAt: record.completedAt, counts: record.counts }, null, 2)}\n`
      : `${describeErasure(record)}\n`,
  );
  return 0;
}
