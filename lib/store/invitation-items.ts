/**
 * Invitation items: the keys of the item and of its index entries, built here and only here, and
 * the item's mapping to the `Invitation` contract.
 *
 * Item: pk `INV#<invitationId>`, sk `INVITATION`, plus index keys derived from its state:
 * - outbox (sparse): `<queue>#<shard>` / `<at>#<id>` while work waits (see WorkQueue).
 * - invitationsByDay (keys only): `<UTC date>#<shard>` / `<sendAt or decidedAt>#<id>`.
 * - byDay: the same with the rollup's attributes projected, written before the counters.
 * - answersByDay (sparse): `<UTC date>#<shard>` / `<answeredAt>#<id>` once answered.
 * - byCustomer: `CUST#<customerId>` / `<occurredAt>#<id>`.
 */
import { Invitation } from '../contracts/invitation.js';
import { INDEX, KEY, shardOf, TTL_ATTRIBUTE } from './table.js';
import { decodeCountedAnswers } from '../domain/questionnaire.js';

const ENTITY_SK = 'INVITATION';

export function invitationKey(invitationId: string) {
  return { [KEY.pk]: `INV#${invitationId}`, [KEY.sk]: ENTITY_SK };
}

/**
 * The work an invitation can wait for, in the sparse outbox index, keyed by when it falls due:
 * DUE (its send, at sendAt: written once with the decision, and left by the send's outcome, not
 * moved by the claim), REMIND (its reminder, at remindAt) and REVIEW (an answer's review follow-up
 * email, domain/review.ts). LEASE and EXPIRE are the shape
 * before issue 19 (a claim moved the entry to LEASE, a send to EXPIRE): `afterword
 * migrate-storage` moves what a table still holds of them. An item is in at most one.
 */
export type WorkQueue = 'DUE' | 'REMIND' | 'REVIEW' | LegacyWorkQueue;
export type LegacyWorkQueue = 'LEASE' | 'EXPIRE';

export function queueKeys(queue: WorkQueue, invitationId: string, at: string) {
  return {
    [INDEX.outbox.pk]: queuePartition(queue, invitationId),
    [INDEX.outbox.sk]: `${at}#${invitationId}`,
  };
}

/** The queue partition (`<queue>#<shard>`) an invitation's entry sits in. */
export function queuePartition(queue: WorkQueue, invitationId: string): string {
  return `${queue}#${shardOf(invitationId)}`;
}

/** The highest outbox sort key due at `now`: every `<at>#<id>` with `at` ≤ now sorts below it. */
export function dueUpTo(now: Date): string {
  return `${now.toISOString()}#\uffff`;
}

export const OUT_OF_QUEUES = [INDEX.outbox.pk, INDEX.outbox.sk];

/**
 * The day indexes' sort key: `<time>#<invitationId>`, then `#<journeyId>` when the interaction names
 * a journey, then (answers index only) `#<counted answers>` when the questionnaire was answered and
 * `#<value>` when the program has a value setting (`v<minor units>`, `missing` or `invalid`), then
 * `#o` when the answer was invited to review (review.ts), `#oc` once the customer followed it.
 * They ride in the key (always projected) rather than in the projection: DynamoDB cannot change an
 * existing index's projection, so a deployed stack takes them with a plain `cdk deploy`, and the
 * rollup counts drivers and values from the index alone (no extra read, no extra write). Journey
 * ids are tokens (no `#`); the answers' encoding (questionnaire.ts) has no `#` either.
 */
function daySortKey(
  at: string,
  invitationId: string,
  journeyId: string | undefined,
  counted = '',
  value = '',
  review = '',
): string {
  const key = `${at}#${invitationId}`;
  if (review) return `${key}#${journeyId ?? ''}#${counted}#${value}#${review}`;
  if (value) return `${key}#${journeyId ?? ''}#${counted}#${value}`;
  if (counted) return `${key}#${journeyId ?? ''}#${counted}`;
  return journeyId === undefined ? key : `${key}#${journeyId}`;
}

/** The journey id a day index entry carries in its sort key (undefined for entries without one). */
export function journeyOfDaySortKey(sortKey: unknown): string | undefined {
  return typeof sortKey === 'string' ? sortKey.split('#')[2] || undefined : undefined;
}

/** The questionnaire answers an answers index entry carries in its sort key (see daySortKey). */
export function countedOfDaySortKey(sortKey: unknown): Record<string, string[]> | undefined {
  const encoded = typeof sortKey === 'string' ? sortKey.split('#')[3] : undefined;
  return encoded ? decodeCountedAnswers(encoded) : undefined;
}

/** An invitation's value (or why it has none) as the answers index's sort key carries it. */
function encodedValue(invitation: Pick<Invitation, 'value' | 'valueIssue'>): string {
  if (invitation.value !== undefined) return `v${invitation.value}`;
  return invitation.valueIssue ?? '';
}

/** The review mark of an answer (see daySortKey). */
function encodedReview(invitation: Pick<Invitation, 'reviewOffered' | 'reviewClickedAt'>): string {
  if (!invitation.reviewOffered) return '';
  return invitation.reviewClickedAt ? 'oc' : 'o';
}

/** The review an answers index entry carries in its sort key (see daySortKey). */
export function reviewOfDaySortKey(
  sortKey: unknown,
): Pick<Invitation, 'reviewOffered' | 'reviewClickedAt'> {
  const encoded = typeof sortKey === 'string' ? sortKey.split('#')[5] : undefined;
  // the index keeps that it was followed, not when
  if (encoded === 'oc') return { reviewOffered: true, reviewClickedAt: 'followed' };
  return encoded === 'o' ? { reviewOffered: true } : {};
}

/** An answers index sort key with its review marked as followed (see daySortKey). */
export function withReviewFollowed(sortKey: string): string {
  const parts = sortKey.split('#');
  while (parts.length < 6) parts.push('');
  parts[5] = 'oc';
  return parts.join('#');
}

/** The value an answers index entry carries in its sort key (see daySortKey). */
export function valueOfDaySortKey(sortKey: unknown): Pick<Invitation, 'value' | 'valueIssue'> {
  const encoded = typeof sortKey === 'string' ? sortKey.split('#')[4] : undefined;
  if (encoded === 'missing' || encoded === 'invalid') return { valueIssue: encoded };
  return encoded?.startsWith('v') ? { value: Number(encoded.slice(1)) } : {};
}

/**
 * The keys-only day index's keys: `<UTC date>#<shard>` / `<sendAt or decidedAt>#<id>`, written once
 * with the decision (no status change rewrites them, as they project nothing).
 */
export function invitationDayKeys(invitationId: string, at: string) {
  return {
    [INDEX.invitationsByDay.pk]: `${at.slice(0, 10)}#${shardOf(invitationId)}`,
    [INDEX.invitationsByDay.sk]: `${at}#${invitationId}`,
  };
}

/** The `byDay` index's keys, as versions before issue 19's counters wrote them (tests, fixtures). */
export function dayKeys(invitationId: string, at: string, journeyId: string | undefined) {
  return {
    [INDEX.byDay.pk]: `${at.slice(0, 10)}#${shardOf(invitationId)}`,
    [INDEX.byDay.sk]: daySortKey(at, invitationId, journeyId),
  };
}

export function customerKeys(customerId: string, invitationId: string, occurredAt: string) {
  return {
    [INDEX.byCustomer.pk]: `CUST#${customerId}`,
    [INDEX.byCustomer.sk]: `${occurredAt}#${invitationId}`,
  };
}

export function answerDayKeys(
  invitationId: string,
  answeredAt: string,
  journeyId: string | undefined,
  counted?: string,
  /** The invitation's value, and its review as it stands after this write. */
  marks: Pick<Invitation, 'value' | 'valueIssue' | 'reviewOffered' | 'reviewClickedAt'> = {},
) {
  return {
    [INDEX.answersByDay.pk]: `${answeredAt.slice(0, 10)}#${shardOf(invitationId)}`,
    [INDEX.answersByDay.sk]: daySortKey(
      answeredAt,
      invitationId,
      journeyId,
      counted,
      encodedValue(marks),
      encodedReview(marks),
    ),
  };
}

/** Marks an invitation the stream's counters count from its first state (domain/counters.ts). */
export const IN_COUNTERS = 'inCounters';

/** The contact state's version a scheduled decision stands on (its claim's, or the one it found). */
export const CONTACT_VERSION = 'contactVersion';

const INTERNAL_ATTRIBUTES = new Set<string>([
  KEY.pk,
  KEY.sk,
  TTL_ATTRIBUTE,
  IN_COUNTERS,
  CONTACT_VERSION,
  ...Object.values(INDEX).flatMap((index) => [index.pk, index.sk]),
]);

export function invitationFromItem(item: Record<string, unknown>): Invitation {
  const fields = Object.fromEntries(
    Object.entries(item).filter(([name]) => !INTERNAL_ATTRIBUTES.has(name)),
  );
  if (typeof item.attributesJson === 'string') fields.attributes = JSON.parse(item.attributesJson);
  return Invitation.parse(fields);
}

/**
 * The producer's free-form attributes are kept as one JSON string: DynamoDB could not store every
 * JSON value as a map (numbers beyond its range or JavaScript's safe integers, empty keys).
 */
export function attributesAttribute(attributes: Invitation['attributes']) {
  return attributes === undefined
    ? {}
    : { attributes: undefined, attributesJson: JSON.stringify(attributes) };
}

/** A slim row read from a day index: only the attributes the rollup needs. */
export type InvitationDayRow = Pick<
  Invitation,
  | 'invitationId'
  | 'status'
  | 'reason'
  | 'touchpoint'
  | 'channel'
  | 'segment'
  | 'journeyId'
  | 'journeyStep'
  | 'metric'
  | 'sendAt'
  | 'decidedAt'
  | 'sentAt'
  | 'deliveredAt'
  | 'bouncedAt'
  | 'complainedAt'
  | 'answeredAt'
  | 'score'
  | 'value'
  | 'valueIssue'
  | 'reviewOffered'
  | 'reviewClickedAt'
> & {
  /** Answers index only: the questionnaire's counted answers, option ids by question id. */
  counted?: Record<string, string[]>;
};

/** The condition that the answers are still those read (their revision), its value added. */
export function revisionCondition(current: Invitation, values: Record<string, unknown>): string {
  if (current.answersRevision === undefined) return 'attribute_not_exists(answersRevision)';
  values[':revision'] = current.answersRevision;
  return 'answersRevision = :revision';
}

/**
 * Answers recorded so far. Items from before `answerCount` kept every answer, the current one
 * included, in `history`.
 */
export function answerCountOf(invitation: Invitation): number {
  if (invitation.answerCount !== undefined) return invitation.answerCount;
  if (invitation.status !== 'answered') return 0;
  return Math.max(1, invitation.history?.length ?? 0);
}
