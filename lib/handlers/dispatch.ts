/**
 * The `dispatch` function's handler, given its runtime (functions/dispatch.ts builds that from the
 * environment; the local stack and the tests give their own).
 */
import { inFunction } from '../adapters/function-scope.js';
import { emitMetrics } from '../adapters/metrics.js';
import type { Runtime } from '../runtime.js';
import { dispatch, type DispatchOptions } from '../usecases/dispatch.js';

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
