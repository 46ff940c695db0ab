/**
 * Lambda: closing the loop. Survey Follow-up Requested / Withdrawn from the bus open or withdraw a
 * case (and email its owner); the schedule's invocation (no detail-type) sweeps the deadlines:
 * overdue cases, then escalations.
 */
import { inFunction } from '../lib/adapters/function-scope.js';
import { logInvocation, type InvocationContext } from '../lib/adapters/log.js';
import { runtimeFromEnv, type Need, type Runtime } from '../lib/runtime.js';
import { handleFollowUpEvent, sweepFollowUps } from '../lib/usecases/follow-up.js';

/** What this function needs beyond the table (its environment must provide it). */
export const NEEDS: Need[] = ['eventBus', 'publicBaseUrl'];

/** An event from the rule, or the schedule's sweep (`{}` or `{ "sweep": true }`). */
export type FollowUpInvocation = { 'detail-type': string; detail: unknown } | { sweep?: true };

export function createFollowUpHandler(rt: Runtime, clock: () => Date = () => new Date()) {
  return (invocation: FollowUpInvocation = {}) =>
    inFunction('follow-up', () =>
      'detail-type' in invocation
        ? handleFollowUpEvent(rt, invocation, clock())
        : sweepFollowUps(rt, clock()),
    );
}

export const handler = async (invocation: FollowUpInvocation, context?: InvocationContext) => {
  logInvocation(context);
  return createFollowUpHandler(await runtimeFromEnv(NEEDS))(invocation);
};
