/** Lambda: every minute (EventBridge Scheduler) → send due surveys, reminders and expiries. */
import { inFunction } from '../lib/adapters/function-scope.js';
import { emitMetrics } from '../lib/adapters/metrics.js';
import { runtimeFromEnv, type Need, type Runtime } from '../lib/runtime.js';
import { dispatch, type DispatchOptions } from '../lib/usecases/dispatch.js';
import { logInvocation, type InvocationContext } from '../lib/adapters/log.js';

/** What this function needs beyond the table (its environment must provide it). */
export const NEEDS: Need[] = ['signing', 'publicBaseUrl', 'consent'];

/** Time kept back from the Lambda timeout to record the last sends. */
const SAFETY_MARGIN_MS = 8_000;

export function createDispatchHandler(
  rt: Runtime,
  options?: DispatchOptions,
  clock: () => Date = () => new Date(),
) {
  return (overrides: DispatchOptions = {}) => inFunction('dispatch', () => tick(overrides));

  async function tick(overrides: DispatchOptions) {
    const result = await dispatch(rt, clock(), { ...options, ...overrides });
    emitMetrics({
      SurveysSent: { value: result.sent, unit: 'Count' },
      SendFailures: { value: result.failed, unit: 'Count' },
      SendRetries: { value: result.retried, unit: 'Count' },
      UnknownSends: { value: result.unknown, unit: 'Count' },
      RemindersSent: { value: result.reminders, unit: 'Count' },
      DueBacklogAgeSeconds: { value: result.backlogAgeSeconds, unit: 'Seconds' },
    });
    return result;
  }
}

export const handler = async (
  _event: unknown,
  context?: InvocationContext & { getRemainingTimeInMillis(): number },
) => {
  logInvocation(context);
  const budgetMs = context ? Math.max(0, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS) : 0;
  return createDispatchHandler(await runtimeFromEnv(NEEDS))({ budgetMs });
};
