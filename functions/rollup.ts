/**
 * Lambda: nightly (EventBridge Scheduler, in the configured time zone) → recompute recent days,
 * publish yesterday's headline metrics (EMF) and send the digest to the CX leads.
 */
import { dependenciesFromEnv, type Need } from '../lib/runtime-env.js';
import { logInvocation, type InvocationContext } from '../lib/adapters/log.js';
import {
  createRollupHandler,
  type RollupRequest,
  ROLLUP_HANDLER_USES,
} from '../lib/handlers/rollup.js';

/** What this function needs beyond the table (its environment must provide it). */
export const NEEDS: Need[] = [];

export const handler = async (request?: RollupRequest, context?: InvocationContext) => {
  logInvocation(context);
  return createRollupHandler(await dependenciesFromEnv(NEEDS, ROLLUP_HANDLER_USES), {
    dashboardUrl: process.env.DASHBOARD_URL,
  })(request);
};
