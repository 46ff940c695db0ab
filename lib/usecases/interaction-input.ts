/**
 * An interaction event as intake takes it: nested no deeper than JSON can be written back, and
 * parsed against the contract, with every problem named.
 */
import {
  describeIssues,
  InteractionCompletedV1,
  INTERACTION_COMPLETED,
  MAX_FUTURE_MS,
  type InteractionCompleted,
} from '../contracts/interaction.js';
import { InvalidEventError } from '../domain/errors.js';

/** The contract nests three levels deep; anything much deeper is not an interaction (nor safe to walk). */
export const MAX_DEPTH = 8;

/** Whether `value` nests deeper than `limit`, found without recursion (so no depth can overflow it). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [current, depth] = stack.pop()!;
    if (!current || typeof current !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * The interaction in an event, or InvalidEventError naming every problem. With `now`, an
 * interaction more than 24 hours in the future is refused too: a producer's clock or data is wrong,
 * and the survey would otherwise go out at once, outside any send window.
 */
export function parseInteraction(
  detailType: string,
  detail: unknown,
  now?: Date,
): InteractionCompleted {
  if (detailType !== INTERACTION_COMPLETED) {
    throw new InvalidEventError([
      `detail-type: expected "${INTERACTION_COMPLETED}", got "${detailType}"`,
    ]);
  }
  if (nestsDeeperThan(detail, MAX_DEPTH)) {
    throw new InvalidEventError([`detail: nested deeper than ${MAX_DEPTH} levels`]);
  }
  const parsed = InteractionCompletedV1.safeParse(detail);
  if (!parsed.success) throw new InvalidEventError(describeIssues(parsed.error, 'detail'));
  if (now && Date.parse(parsed.data.occurredAt) - now.getTime() > MAX_FUTURE_MS) {
    throw new InvalidEventError([
      `detail.occurredAt: ${parsed.data.occurredAt} is more than 24 hours after the time it was received (${now.toISOString()})`,
    ]);
  }
  return parsed.data;
}
