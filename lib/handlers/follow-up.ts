/**
 * The `follow-up` function's handler, given its runtime (functions/follow-up.ts builds that from the
 * environment; the local stack and the tests give their own).
 */
import { inFunction } from '../adapters/function-scope.js';
import type { Runtime } from '../runtime.js';
import { handleFollowUpEvent } from '../usecases/follow-up.js';
import { sweepFollowUps } from '../usecases/follow-up-sweep.js';
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
