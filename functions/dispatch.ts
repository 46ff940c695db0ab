/** Lambda: every minute (EventBridge Scheduler) → send due surveys and reminders (expiry is derived). */
import { dependenciesFromEnv, type Need } from '../lib/runtime-env.js';
import { logInvocation, type InvocationContext } from '../lib/adapters/log.js';
import { createDispatchHandler, DISPATCH_HANDLER_USES } from '../lib/handlers/dispatch.js';

/** What this function needs beyond the table (its environment must provide it). */
export const NEEDS: Need[] = ['signing', 'publicBaseUrl', 'consent'];

/** Time kept back from the Lambda timeout to record the last sends. */
const SAFETY_MARGIN_MS = 8_000;

export const handler = async (
  _event: unknown,
  context?: InvocationContext & { getRemainingTimeInMillis(): number },
) => {
  logInvocation(context);
  const budgetMs = context ? Math.max(0, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS) : 0;
  return createDispatchHandler(await dependenciesFromEnv(NEEDS, DISPATCH_HANDLER_USES))({
    budgetMs,
  });
};
