/**
 * Lambda: a tracking or periodic program's run (EventBridge Scheduler, one schedule per program,
 * in its zone) → draw the sample from the customer directory and schedule its invitations.
 */
import { logInvocation, type InvocationContext } from '../lib/adapters/log.js';
import { dependenciesFromEnv, type Need } from '../lib/runtime-env.js';
import {
  createLaunchHandler,
  type LaunchRequest,
  LAUNCH_HANDLER_USES,
} from '../lib/handlers/launch.js';

/** What this function needs beyond the table (its environment must provide it). */
export const NEEDS: Need[] = ['consent'];

export const handler = async (request: LaunchRequest, context?: InvocationContext) => {
  logInvocation(context);
  return createLaunchHandler(await dependenciesFromEnv(NEEDS, LAUNCH_HANDLER_USES))(request);
};
