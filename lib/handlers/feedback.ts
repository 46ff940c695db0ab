/**
 * The `feedback` function's handler, given its runtime (functions/feedback.ts builds that from the
 * environment; the local stack and the tests give their own).
 */
import { inFunction } from '../adapters/function-scope.js';
import type { Runtime } from '../runtime.js';
import { recordSesFeedback } from '../usecases/feedback.js';

export function createFeedbackHandler(rt: Runtime) {
  return (event: { detail: unknown }) =>
    inFunction('feedback', () => recordSesFeedback(rt, event.detail));
}
