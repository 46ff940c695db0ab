/** Lambda: SES events (configuration set → EventBridge) → invitation status and suppression. */
import { dependenciesFromEnv, type Need } from '../lib/runtime-env.js';
import { logInvocation, type InvocationContext } from '../lib/adapters/log.js';
import { createFeedbackHandler, FEEDBACK_HANDLER_USES } from '../lib/handlers/feedback.js';

/** What this function needs beyond the table (its environment must provide it). */
export const NEEDS: Need[] = ['consent'];

export const handler = async (event: { detail: unknown }, context?: InvocationContext) => {
  logInvocation(context);
  return createFeedbackHandler(await dependenciesFromEnv(NEEDS, FEEDBACK_HANDLER_USES))(event);
};
