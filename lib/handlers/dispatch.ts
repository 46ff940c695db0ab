/**
 * The `dispatch` function's handler, given its runtime (functions/dispatch.ts builds that from the
 * environment; the local stack and the tests give their own).
 */
import { inFunction } from '../adapters/function-scope.js';
import { emitMetrics } from '../adapters/metrics.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { dispatch, type DispatchOptions, DISPATCH_USES } from '../usecases/dispatch.js';

/** What dispatch reaches of the runtime: its functions are built with these and no more. */
export const DISPATCH_HANDLER_USES = [...DISPATCH_USES] as const satisfies readonly RuntimePart[];
export type DispatchHandlerDeps = Needs<typeof DISPATCH_HANDLER_USES>;

export function createDispatchHandler(
  rt: DispatchHandlerDeps,
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
