/** Lambda: every minute (EventBridge Scheduler) → send the due invitations. */
import { emitMetrics } from '../lib/adapters/metrics.js';
import { runtimeFromEnv, type Runtime } from '../lib/runtime.js';
import { dispatch, type DispatchOptions } from '../lib/usecases/dispatch.js';

export function createDispatchHandler(
  rt: Runtime,
  options?: DispatchOptions,
  clock: () => Date = () => new Date(),
) {
  return async () => {
    const result = await dispatch(rt, clock(), options);
    emitMetrics({
      SurveysSent: { value: result.sent, unit: 'Count' },
      SendFailures: { value: result.failed, unit: 'Count' },
      SendRetries: { value: result.retried, unit: 'Count' },
      DueBacklogAgeSeconds: { value: result.backlogAgeSeconds, unit: 'Seconds' },
    });
    return result;
  };
}

export const handler = async () =>
  createDispatchHandler(await runtimeFromEnv(['signing', 'publicBaseUrl']))();
