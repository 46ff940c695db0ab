/** Lambda: SES events (configuration set → EventBridge) → invitation status and suppression. */
import { runtimeFromEnv, type Need } from '../lib/runtime-env.js';
import { logInvocation, type InvocationContext } from '../lib/adapters/log.js';
import { createFeedbackHandler } from '../lib/handlers/feedback.js';

/** What this function needs beyond the table (its environment must provide it). */
export const NEEDS: Need[] = ['consent'];

export const handler = async (event: { detail: unknown }, context?: InvocationContext) => {
  logInvocation(context);
  return createFeedbackHandler(await runtimeFromEnv(NEEDS))(event);
};
