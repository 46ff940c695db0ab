/** Lambda: every minute (EventBridge Scheduler) → send the due invitations. */
import { runtimeFromEnv, type Runtime } from '../lib/runtime.js';
import { dispatch, type DispatchOptions } from '../lib/usecases/dispatch.js';

export function createDispatchHandler(
  rt: Runtime,
  options?: DispatchOptions,
  clock: () => Date = () => new Date(),
) {
  return () => dispatch(rt, clock(), options);
}

export const handler = async () =>
  createDispatchHandler(await runtimeFromEnv(['signing', 'publicBaseUrl']))();
