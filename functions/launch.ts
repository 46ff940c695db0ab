/**
 * Lambda: a tracking or periodic program's run (EventBridge Scheduler, one schedule per program,
 * in its zone) → draw the sample from the customer directory and schedule its invitations.
 */
import { inFunction } from '../lib/adapters/function-scope.js';
import { logInvocation, type InvocationContext } from '../lib/adapters/log.js';
import { runtimeFromEnv, type Need, type Runtime } from '../lib/runtime.js';
import { launch } from '../lib/usecases/tracking.js';

/** What this function needs beyond the table (its environment must provide it). */
export const NEEDS: Need[] = ['consent'];

export interface LaunchRequest {
  /** The program's touchpoint, as its schedule passes it. */
  touchpoint: string;
  /** When the run was due (the schedule's `<aws.scheduler.scheduled-time>`): its period. */
  scheduledTime?: string;
}

export function createLaunchHandler(rt: Runtime, clock: () => Date = () => new Date()) {
  return (request: LaunchRequest) =>
    inFunction('launch', () => {
      if (!request || typeof request.touchpoint !== 'string') {
        throw new Error('the schedule must pass { "touchpoint": "<program>" }');
      }
      const due = request.scheduledTime ? new Date(request.scheduledTime) : undefined;
      // A retry runs later than due, but belongs to the period it was due in.
      return launch(rt, request.touchpoint, due && !Number.isNaN(due.getTime()) ? due : clock());
    });
}

export const handler = async (request: LaunchRequest, context?: InvocationContext) => {
  logInvocation(context);
  return createLaunchHandler(await runtimeFromEnv(NEEDS))(request);
};
