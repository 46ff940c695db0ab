/**
 * The customer's answers on an invitation: the answer itself and a deep-dive's later sections.
 * Each is one conditional write against the state the page read, so concurrent tabs and POSTs
 * never overwrite each other with what they read before.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Invitation } from '../contracts/invitation.js';
import type { QuestionAnswers } from '../domain/questionnaire.js';
import { INDEX } from './table.js';
import {
  answerCountOf,
  answerDayKeys,
  dueUpTo,
  invitationFromItem,
  invitationKey,
  OUT_OF_QUEUES,
  queueKeys,
  queuePartition,
  revisionCondition,
  withReviewFollowed,
} from './invitation-items.js';
import { updateItem } from './update.js';

export interface Answer {
  score: number;
  comment?: string | undefined;
  followUp?: boolean | undefined;
  /** The questionnaire's answers, and their encoding for the answers index (daySortKey). */
  answers?: QuestionAnswers | undefined;
  counted?: string | undefined;
  /** Its thank-you page invites the customer to review (domain/review.ts). */
  reviewOffered?: boolean | undefined;
  /** When its review follow-up email falls due (the REVIEW queue), if the program sends one. */
  reviewFollowUpAt?: string | undefined;
}

export class AnswerStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Records the customer's answer in one conditional write, against the state the caller read:
   * only a sent, unexpired survey, and only if no other answer was recorded since (`answerCount`
   * unchanged), so of concurrent POSTs one writes and the others see its result. The answer it
   * replaces (if any) moves to `history`; the follow-up flags are set in the same write, so a
   * request (or its withdrawal) is recorded once. Returns the stored item when the condition
   * failed, so the caller decides again from what is there now.
   */
  async recordAnswer(
    current: Invitation,
    answer: Answer,
    answeredAt: Date,
    followUp: { request: boolean; withdraw: boolean },
  ): Promise<{ recorded: true } | { recorded: false; now: Invitation | undefined }> {
    const at = answeredAt.toISOString();
    const answers =
      answer.answers && Object.keys(answer.answers).length ? answer.answers : undefined;
    const set: Record<string, unknown> = {
      status: 'answered',
      score: answer.score,
      answeredAt: at,
      // A new answer is a new invitation to review: a click on the last one's stays with it.
      ...answerDayKeys(current.invitationId, at, current.journeyId, answer.counted, {
        ...current,
        reviewOffered: answer.reviewOffered,
        reviewClickedAt: undefined,
      }),
      answerCount: answerCountOf(current) + 1,
      answersRevision: (current.answersRevision ?? 0) + 1,
      ...(answer.reviewFollowUpAt
        ? queueKeys('REVIEW', current.invitationId, answer.reviewFollowUpAt)
        : {}),
      ...(followUp.request ? { followUpRequestedAt: at } : {}),
      ...(followUp.withdraw ? { followUpWithdrawnAt: at } : {}),
    };
    // answered: it waits for no reminder and no expiry any more
    // (unless its review follow-up email now waits there)
    const remove: string[] = [...(answer.reviewFollowUpAt ? [] : OUT_OF_QUEUES), 'reviewClickedAt'];
    for (const [name, value] of [
      ['comment', answer.comment],
      ['followUp', answer.followUp],
      ['answers', answers],
      ['reviewOffered', answer.reviewOffered || undefined],
    ] as const) {
      if (value === undefined) remove.push(name);
      else set[name] = value;
    }
    const values: Record<string, unknown> = {
      ':sent': 'sent',
      ':delivered': 'delivered',
      ':answered': 'answered',
      ':at': at,
    };
    const setExpressions: string[] = [];
    // Items from before answerCount already hold the current answer in their history.
    const legacyHistory = current.answerCount === undefined && Boolean(current.history?.length);
    if (
      current.status === 'answered' &&
      current.score !== undefined &&
      current.answeredAt &&
      !legacyHistory
    ) {
      setExpressions.push('history = list_append(if_not_exists(history, :empty), :previous)');
      values[':empty'] = [];
      values[':previous'] = [
        {
          score: current.score,
          answeredAt: current.answeredAt,
          ...(current.comment ? { comment: current.comment } : {}),
          ...(current.answers && Object.keys(current.answers).length
            ? { answers: current.answers }
            : {}),
        },
      ];
    }
    let condition = `#status IN (:sent, :delivered, :answered) AND expiresAt > :at AND ${revisionCondition(current, values)} AND `;
    // One review follow-up email per invitation: none is queued again once one was taken.
    if (answer.reviewFollowUpAt) condition += 'attribute_not_exists(reviewEmailAt) AND ';
    if (current.answerCount === undefined) condition += 'attribute_not_exists(answerCount)';
    else {
      condition += 'answerCount = :count';
      values[':count'] = current.answerCount;
    }
    const outcome = await updateItem(
      this.doc,
      this.tableName,
      invitationKey(current.invitationId),
      {
        set,
        setExpressions,
        remove,
        condition,
        names: { '#status': 'status' },
        values,
      },
    );
    if (outcome.updated) return { recorded: true };
    return {
      recorded: false,
      now: outcome.current ? invitationFromItem(outcome.current) : undefined,
    };
  }

  /**
   * Saves a deep-dive section's answers into an answered survey: the merged answers, and their
   * counted encoding in the answers index's key (same day, same time). Conditional on the answers
   * read (their revision) and an open link, so neither a section in another tab nor a changed
   * score is overwritten with what was read before; false when it would have been.
   */
  async recordSection(
    current: Invitation,
    answers: QuestionAnswers,
    counted: string,
    at: Date,
  ): Promise<boolean> {
    const keys = answerDayKeys(
      current.invitationId,
      current.answeredAt!,
      current.journeyId,
      counted,
      current,
    );
    const values: Record<string, unknown> = { ':answered': 'answered', ':at': at.toISOString() };
    const outcome = await updateItem(
      this.doc,
      this.tableName,
      invitationKey(current.invitationId),
      {
        set: {
          answers,
          [INDEX.answersByDay.sk]: keys[INDEX.answersByDay.sk],
          answersRevision: (current.answersRevision ?? 0) + 1,
        },
        condition: `#status = :answered AND expiresAt > :at AND ${revisionCondition(current, values)}`,
        names: { '#status': 'status' },
        values,
      },
    );
    return outcome.updated;
  }
  /**
   * An answered invitation as a review link finds it: read consistently, with its answers index
   * key, which recording the click rewrites (one read serves both).
   */
  async reviewOf(
    invitationId: string,
  ): Promise<{ invitation: Invitation; answersSortKey?: string } | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: invitationKey(invitationId),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const sortKey: unknown = Item[INDEX.answersByDay.sk];
    return {
      invitation: invitationFromItem(Item),
      ...(typeof sortKey === 'string' ? { answersSortKey: sortKey } : {}),
    };
  }

  /**
   * Records that the customer followed the review invitation of their answer (domain/review.ts):
   * once, and only while the answer still stands invited with the answers index key read
   * (`reviewOf`); the key is marked in the same write, so the recompute counts it as the stream's
   * counters do. False when there was nothing to record (not invited, already followed, or the
   * answer changed meanwhile).
   */
  async recordReviewFollowed(invitationId: string, sortKey: string, at: Date): Promise<boolean> {
    const outcome = await updateItem(this.doc, this.tableName, invitationKey(invitationId), {
      set: {
        reviewClickedAt: at.toISOString(),
        [INDEX.answersByDay.sk]: withReviewFollowed(sortKey),
      },
      // a new revision: an answer or a section saved from what was read before this write
      // (which would put the key back without the click) fails its condition and reads again
      setExpressions: ['answersRevision = if_not_exists(answersRevision, :zero) + :one'],
      condition: 'reviewOffered = :true AND attribute_not_exists(reviewClickedAt) AND #sk = :sk',
      names: { '#sk': INDEX.answersByDay.sk },
      values: { ':true': true, ':sk': sortKey, ':zero': 0, ':one': 1 },
    });
    return outcome.updated;
  }
  /**
   * Takes an answer's review follow-up email out of the REVIEW queue, once, marking it taken: the
   * email is sent at most once (a failed send is not tried again). Only while due, still invited,
   * not followed and not erased, all in the write's own condition (no earlier read decides it).
   * Returns the invitation as taken, or undefined when another dispatcher took it or it no longer
   * waits for one (it then leaves the queue).
   */
  async claimReviewEmail(invitationId: string, now: Date): Promise<Invitation | undefined> {
    const queue = queuePartition('REVIEW', invitationId);
    const outcome = await updateItem(
      this.doc,
      this.tableName,
      invitationKey(invitationId),
      {
        set: { reviewEmailAt: now.toISOString() },
        remove: OUT_OF_QUEUES,
        condition:
          '#opk = :queue AND #osk <= :now AND reviewOffered = :true AND attribute_not_exists(reviewClickedAt) AND attribute_not_exists(erasedAt)',
        names: { '#opk': INDEX.outbox.pk, '#osk': INDEX.outbox.sk },
        values: { ':queue': queue, ':now': dueUpTo(now), ':true': true },
      },
      { returnNew: true },
    );
    if (outcome.updated) return invitationFromItem(outcome.item!);
    // Still queued but no longer wanted (followed, erased, not invited): out of the queue.
    const stale = outcome.current;
    if (stale?.[INDEX.outbox.pk] === queue && String(stale[INDEX.outbox.sk]) <= dueUpTo(now)) {
      await updateItem(this.doc, this.tableName, invitationKey(invitationId), {
        remove: OUT_OF_QUEUES,
        condition: '#opk = :queue',
        names: { '#opk': INDEX.outbox.pk },
        values: { ':queue': queue },
      });
    }
    return undefined;
  }

  /**
   * Puts a review follow-up email off until `at` (the customer's send window opens then), only
   * while it is still due at `now`: an answer given again since the dispatcher read it has moved
   * it later, and that newer time stands. False when it was not put off.
   */
  async deferReviewEmail(invitationId: string, at: Date, now: Date): Promise<boolean> {
    const outcome = await updateItem(this.doc, this.tableName, invitationKey(invitationId), {
      set: queueKeys('REVIEW', invitationId, at.toISOString()),
      condition: '#opk = :queue AND #osk <= :now',
      names: { '#opk': INDEX.outbox.pk, '#osk': INDEX.outbox.sk },
      values: {
        ':queue': queuePartition('REVIEW', invitationId),
        ':now': dueUpTo(now),
      },
    });
    return outcome.updated;
  }
}
