/**
 * The `follow-up` function's handler, given its runtime (functions/follow-up.ts builds that from the
 * environment; the local stack and the tests give their own).
 */
import { inFunction } from '../adapters/function-scope.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { handleFollowUpEvent, FOLLOW_UP_USES } from '../usecases/follow-up.js';
import { sweepFollowUps, FOLLOW_UP_SWEEP_USES } from '../usecases/follow-up-sweep.js';

/** What follow-up reaches of the runtime: its functions are built with these and no more. */
export const FOLLOW_UP_HANDLER_USES = [
  ...FOLLOW_UP_SWEEP_USES,
  ...FOLLOW_UP_USES,
] as const satisfies readonly RuntimePart[];
export type FollowUpHandlerDeps = Needs<typeof FOLLOW_UP_HANDLER_USES>;
/** An event from the rule, or the schedule's sweep (`{}` or `{ "sweep": true }`). */
export type FollowUpInvocation = { 'detail-type': string; detail: unknown } | { sweep?: true };

export function createFollowUpHandler(
  rt: FollowUpHandlerDeps,
  clock: () => Date = () => new Date(),
) {
  return (invocation: FollowUpInvocation = {}) =>
    inFunction('follow-up', () =>
      'detail-type' in invocation
        ? handleFollowUpEvent(rt, invocation, clock())
        : sweepFollowUps(rt, clock()),
    );
}
