/**
 * Follow-up case items: their keys, built here and only here, and their mapping to the contract.
 *
 * Item: pk `CASES#<YYYY-MM of the request>`, sk `CASE#<invitationId>`: a month of cases is one
 * Query (the owner's queue, the measures, the CLI), as rollup rows are. While a deadline is ahead
 * of an open case (its due-by, then its escalation), the case also waits in the sparse outbox
 * index under `CASE#<shard>` / `<deadline>#<invitationId>`, so the sweep reads only what is due.
 */
import { CASE_TRANSITIONS, FollowUpCase, type CaseStatus } from '../contracts/follow-up-case.js';
import { INDEX, KEY, shardOf, TTL_ATTRIBUTE } from './table.js';
import { log } from '../adapters/log.js';

export const CASE_QUEUE = 'CASE';

export function caseKey(invitationId: string, openedAt: string) {
  return { [KEY.pk]: `CASES#${openedAt.slice(0, 7)}`, [KEY.sk]: `CASE#${invitationId}` };
}

export function deadlineKeys(invitationId: string, deadline: string) {
  return {
    [INDEX.outbox.pk]: `${CASE_QUEUE}#${shardOf(invitationId)}`,
    [INDEX.outbox.sk]: `${deadline}#${invitationId}`,
  };
}

const INTERNAL = new Set<string>([KEY.pk, KEY.sk, TTL_ATTRIBUTE, INDEX.outbox.pk, INDEX.outbox.sk]);

export function caseFromItem(item: Record<string, unknown>): FollowUpCase {
  return FollowUpCase.parse(
    Object.fromEntries(Object.entries(item).filter(([name]) => !INTERNAL.has(name))),
  );
}

/**
 * Every case of a page that parses: one item that does not (written by hand, or by a later version)
 * is logged by key and left out, so it cannot take the queue, the measures and the sweep down.
 */
export function casesOf(items: Record<string, unknown>[]): FollowUpCase[] {
  return items.flatMap((item) => {
    try {
      return [caseFromItem(item)];
    } catch {
      log.warn('cases.unreadable-item', { pk: String(item[KEY.pk]), sk: String(item[KEY.sk]) });
      return [];
    }
  });
}

/** The statuses a case can move to `to` from. */
export function statusesThatReach(to: CaseStatus): CaseStatus[] {
  return (Object.entries(CASE_TRANSITIONS) as [CaseStatus, readonly CaseStatus[]][])
    .filter(([, next]) => next.includes(to))
    .map(([from]) => from);
}
