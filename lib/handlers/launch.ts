/**
 * The `launch` function's handler, given its runtime (functions/launch.ts builds that from the
 * environment; the local stack and the tests give their own).
 */
import { inFunction } from '../adapters/function-scope.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { launch, TRACKING_LAUNCH_USES } from '../usecases/tracking-launch.js';

/** What launch reaches of the runtime: its functions are built with these and no more. */
export const LAUNCH_HANDLER_USES = [
  ...TRACKING_LAUNCH_USES,
] as const satisfies readonly RuntimePart[];
export type LaunchHandlerDeps = Needs<typeof LAUNCH_HANDLER_USES>;

export interface LaunchRequest {
  /** The program's touchpoint, as its schedule passes it. */
  touchpoint: string;
  /** When the run was due (the schedule's `<aws.scheduler.scheduled-time>`): its period. */
  scheduledTime?: string;
}

export function createLaunchHandler(rt: LaunchHandlerDeps, clock: () => Date = () => new Date()) {
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
