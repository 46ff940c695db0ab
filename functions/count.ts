/**
 * Lambda: the table's stream (tumbling windows, which name the shard) → the rollup's counters,
 * each record counted once (lib/usecases/count-stream.ts).
 */
import { dependenciesFromEnv, type Need } from '../lib/runtime-env.js';
import { logInvocation, type InvocationContext } from '../lib/adapters/log.js';
import { countStream, COUNT_STREAM_USES, type StreamBatch } from '../lib/usecases/count-stream.js';

/** What this function needs beyond the table (its environment must provide it). */
export const NEEDS: Need[] = [];

export const handler = async (batch: StreamBatch, context?: InvocationContext) => {
  logInvocation(context);
  const { state } = await countStream(await dependenciesFromEnv(NEEDS, COUNT_STREAM_USES), batch);
  // A tumbling window's invocation must answer with a state, or Lambda takes it as failed.
  return { state };
};
