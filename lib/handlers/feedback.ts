/**
 * The `feedback` function's handler, given its runtime (functions/feedback.ts builds that from the
 * environment; the local stack and the tests give their own).
 */
import { inFunction } from '../adapters/function-scope.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { recordSesFeedback, FEEDBACK_USES } from '../usecases/feedback.js';

/** What feedback reaches of the runtime: its functions are built with these and no more. */
export const FEEDBACK_HANDLER_USES = [...FEEDBACK_USES] as const satisfies readonly RuntimePart[];
export type FeedbackHandlerDeps = Needs<typeof FEEDBACK_HANDLER_USES>;

export function createFeedbackHandler(rt: FeedbackHandlerDeps) {
  return (event: { detail: unknown }) =>
    inFunction('feedback', () => recordSesFeedback(rt, event.detail));
}
