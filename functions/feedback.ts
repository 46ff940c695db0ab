/** Lambda: SES events (configuration set → EventBridge) → invitation status and suppression. */
import { inFunction } from '../lib/adapters/function-scope.js';
import { runtimeFromEnv, type Need, type Runtime } from '../lib/runtime.js';
import { recordSesFeedback } from '../lib/usecases/feedback.js';
import { logInvocation, type InvocationContext } from '../lib/adapters/log.js';

/** What this function needs beyond the table (its environment must provide it). */
export const NEEDS: Need[] = ['consent'];

export function createFeedbackHandler(rt: Runtime) {
  return (event: { detail: unknown }) =>
    inFunction('feedback', () => recordSesFeedback(rt, event.detail));
}

export const handler = async (event: { detail: unknown }, context?: InvocationContext) => {
  logInvocation(context);
  return createFeedbackHandler(await runtimeFromEnv(NEEDS))(event);
};
