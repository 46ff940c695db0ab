/**
 * Invitation: one survey for one customer after one interaction, and the decision behind it.
 * A skipped interaction is an invitation too (status `skipped` with a reason) so it feeds the funnel.
 */
import * as z from 'zod';
import { Metric } from '../domain/metric.js';

export const InvitationStatus = z.enum([
  'scheduled',
  'sending',
  'sent',
  'delivered',
  'answered',
  'skipped',
  'failed',
  'bounced',
  'expired',
  'cancelled',
  /** The sender died between claiming and recording: SES may or may not have sent it. */
  'unknown',
]);
export type InvitationStatus = z.infer<typeof InvitationStatus>;

/** Why an interaction was not surveyed (at intake) or a survey was not sent (at dispatch). */
export const SkipReason = z.enum([
  'no-program',
  'disabled',
  'no-email',
  'invalid-email',
  'suppressed',
  'opted-out',
  'not-sampled',
  'cool-down',
  'cap',
  'too-late',
  /** An interaction from before the customer's erasure, recorded without anything naming them. */
  'erased',
]);
export type SkipReason = z.infer<typeof SkipReason>;

export const QuestionAnswers = z.record(
  z.string(),
  z.union([z.string(), z.array(z.string()), z.number()]),
);

/** The customer id of an erased invitation or case: the field stays (readers need one), the id goes. */
export const ERASED_CUSTOMER_ID = '(erased)';

export const Invitation = z.object({
  invitationId: z.string(),
  interactionId: z.string(),
  /** The event's source: with interactionId, the idempotency key (optional: older items lack it). */
  source: z.string().optional(),
  /** Hash of the event detail: tells a redelivery from a different payload under the same id. */
  payloadHash: z.string(),
  status: InvitationStatus,
  reason: z.string().optional(),
  customerId: z.string(),
  email: z.string().optional(),
  name: z.string().optional(),
  // Snapshot of what was true at the interaction: later customer changes do not rewrite history.
  touchpoint: z.string(),
  channel: z.string(),
  segment: z.string().optional(),
  journeyId: z.string().optional(),
  journeyStep: z.string().optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  /**
   * What the interaction was worth, in the program's currency's minor unit (domain/value.ts), read
   * from its attributes at the decision; or why it could not be (a program with a value setting).
   */
  value: z.number().int().nonnegative().optional(),
  valueIssue: z.enum(['missing', 'invalid']).optional(),
  /** The answer's thank-you page invited the customer to review (domain/review.ts), and when they followed it. */
  reviewOffered: z.boolean().optional(),
  reviewClickedAt: z.string().optional(),
  /** When the review follow-up email was taken for sending (once, review-email.ts). */
  reviewEmailAt: z.string().optional(),
  locale: z.string(),
  timeZone: z.string(),
  metric: Metric.optional(),
  occurredAt: z.string(),
  decidedAt: z.string(),
  sendAt: z.string().optional(),
  expiresAt: z.string().optional(),
  leaseUntil: z.string().optional(),
  sentAt: z.string().optional(),
  messageId: z.string().optional(),
  reminderAt: z.string().optional(),
  reminderMessageId: z.string().optional(),
  deliveredAt: z.string().optional(),
  bouncedAt: z.string().optional(),
  complainedAt: z.string().optional(),
  answeredAt: z.string().optional(),
  score: z.number().int().optional(),
  comment: z.string().optional(),
  /**
   * The answers to the program's questionnaire, by question id: an option id, option ids, a 1–5
   * rating or a text. Only questions asked of the score's group, as the program listed them then.
   */
  answers: QuestionAnswers.optional(),
  /** The customer's tick on the program's follow-up question, when it has one. */
  followUp: z.boolean().optional(),
  /**
   * Counts every write of the answers (the page with the score and each section): writes are
   * conditional on the one read, so neither overwrites the other with what it read before.
   */
  answersRevision: z.number().int().optional(),
  /** How many answers were recorded (the first and each change); changes stop at MAX_ANSWERS. */
  answerCount: z.number().int().optional(),
  /**
   * The earlier answers, oldest first, when the customer changed theirs (the current one is the
   * item's own score and comment). Items written before answerCount existed also hold the current one.
   */
  history: z
    .array(
      z.object({
        score: z.number(),
        answeredAt: z.string(),
        comment: z.string().optional(),
        answers: QuestionAnswers.optional(),
      }),
    )
    .optional(),
  /** When a score first fell to the follow-up threshold (the request goes out once). */
  followUpRequestedAt: z.string().optional(),
  /** When a later answer rose above it again (the request was withdrawn, once). */
  followUpWithdrawnAt: z.string().optional(),
  /** When the customer was erased: the identity, address, name and comments are gone. */
  erasedAt: z.string().optional(),
  /** An erased invitation's address as its keyed hash: a late unsubscribe or complaint still counts. */
  addressRef: z.string().optional(),
});
export type Invitation = z.infer<typeof Invitation>;

/** Answers recorded per survey: the first and up to nine changes; the history stays bounded. */
export const MAX_ANSWERS = 10;

/** What a customer submits: the score and an optional comment. */
export const COMMENT_MAX_LENGTH = 2000;
export const AnswerInput = z.object({
  // Digits only: "", "0x5", "1e1", " 5" and "5.0" are not scores (Number() would take them).
  score: z
    .string({ error: 'choose a score' })
    .regex(/^\d{1,2}$/, 'must be a whole number such as 7')
    .transform(Number),
  /** The tick of the program's follow-up question ("on" from an HTML checkbox). */
  followUp: z
    .union([z.literal('on'), z.literal('yes'), z.literal('true'), z.boolean()])
    .optional()
    .transform((value) => (value === undefined ? undefined : value !== false)),
  comment: z
    .string()
    .max(COMMENT_MAX_LENGTH, `must be at most ${COMMENT_MAX_LENGTH} characters`)
    .optional()
    .transform((value) => (value?.trim() ? value.trim() : undefined)),
});
export type AnswerInput = z.infer<typeof AnswerInput>;
