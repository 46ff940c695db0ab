/**
 * Lambda: closing the loop. Survey Follow-up Requested / Withdrawn from the bus open or withdraw a
 * case (and email its owner); the schedule's invocation (no detail-type) sweeps the deadlines:
 * overdue cases, then escalations.
 */
import { logInvocation, type InvocationContext } from '../lib/adapters/log.js';
import { dependenciesFromEnv, type Need } from '../lib/runtime-env.js';
import {
  createFollowUpHandler,
  type FollowUpInvocation,
  FOLLOW_UP_HANDLER_USES,
} from '../lib/handlers/follow-up.js';

/** What this function needs beyond the table (its environment must provide it). */
export const NEEDS: Need[] = ['eventBus', 'publicBaseUrl'];

export const handler = async (invocation: FollowUpInvocation, context?: InvocationContext) => {
  logInvocation(context);
  return createFollowUpHandler(await dependenciesFromEnv(NEEDS, FOLLOW_UP_HANDLER_USES))(
    invocation,
  );
};
