/** Lambda: SES events (configuration set → EventBridge) → invitation status and suppression. */
import { runtimeFromEnv, type Runtime } from '../lib/runtime.js';
import { recordSesFeedback } from '../lib/usecases/feedback.js';

export function createFeedbackHandler(rt: Runtime) {
  return (event: { detail: unknown }) => recordSesFeedback(rt, event.detail);
}

export const handler = async (event: { detail: unknown }) =>
  createFeedbackHandler(await runtimeFromEnv())(event);
