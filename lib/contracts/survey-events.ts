/**
 * Events Afterword publishes on the bus (source `afterword`), versioned so that CRMs, data lakes
 * and ticketing tools can subscribe and rely on their shape.
 */
import * as z from 'zod';

export const AFTERWORD_SOURCE = 'afterword';
export const SURVEY_ANSWERED = 'Survey Answered';

export const SurveyAnsweredV1 = z.object({
  version: z.literal('1'),
  invitationId: z.string(),
  interactionId: z.string(),
  customerId: z.string(),
  touchpoint: z.string(),
  channel: z.string(),
  segment: z.string().optional(),
  journeyStep: z.string().optional(),
  metric: z.enum(['nps', 'csat', 'ces']),
  score: z.number().int(),
  hasComment: z.boolean(),
  answeredAt: z.iso.datetime(),
});
export type SurveyAnswered = z.infer<typeof SurveyAnsweredV1>;

export const SURVEY_FOLLOW_UP_REQUESTED = 'Survey Follow-up Requested';

/** A low score: the touchpoint's owner should get back to the customer by `dueBy`. */
export const SurveyFollowUpRequestedV1 = SurveyAnsweredV1.extend({
  owner: z.object({ name: z.string(), email: z.string() }),
  threshold: z.number().int(),
  dueBy: z.iso.datetime(),
  /** The customer ticked the program's follow-up question (e.g. "may we contact you?"). */
  followUp: z.boolean().optional(),
});
export type SurveyFollowUpRequested = z.infer<typeof SurveyFollowUpRequestedV1>;

export const SURVEY_FOLLOW_UP_WITHDRAWN = 'Survey Follow-up Withdrawn';

/**
 * The customer changed a low answer to one above the threshold: the follow-up requested earlier
 * for this invitation is no longer needed (sent once, and only after a request).
 */
export const SurveyFollowUpWithdrawnV1 = SurveyAnsweredV1.extend({
  threshold: z.number().int(),
});
export type SurveyFollowUpWithdrawn = z.infer<typeof SurveyFollowUpWithdrawnV1>;

export const SURVEY_FOLLOW_UP_OVERDUE = 'Survey Follow-up Overdue';

/**
 * A follow-up case passed its deadline without first contact: for ticketing tools and on-call
 * rotations. Sent once per case; `escalatedTo` is set on the escalation's own event, later.
 */
export const SurveyFollowUpOverdueV1 = z.object({
  version: z.literal('1'),
  invitationId: z.string(),
  customerId: z.string(),
  touchpoint: z.string(),
  channel: z.string(),
  metric: z.enum(['nps', 'csat', 'ces']),
  score: z.number().int(),
  owner: z.object({ name: z.string(), email: z.string() }),
  openedAt: z.iso.datetime(),
  dueBy: z.iso.datetime(),
  overdueAt: z.iso.datetime(),
  /** The address the case was escalated to, on the event of the escalation. */
  escalatedTo: z.string().optional(),
});
export type SurveyFollowUpOverdue = z.infer<typeof SurveyFollowUpOverdueV1>;

/** What the answer function publishes, and nothing else. */
export const ANSWER_DETAIL_TYPES = [
  SURVEY_ANSWERED,
  SURVEY_FOLLOW_UP_REQUESTED,
  SURVEY_FOLLOW_UP_WITHDRAWN,
];

/** What the follow-up function publishes, and nothing else. */
export const FOLLOW_UP_DETAIL_TYPES = [SURVEY_FOLLOW_UP_OVERDUE];

/** What the erasure function publishes, and nothing else (the erasure contract's own name). */
export const ERASURE_DETAIL_TYPES = ['Customer Erased'];

/** Every detail-type Afterword publishes. */
export const AFTERWORD_DETAIL_TYPES = [
  ...ANSWER_DETAIL_TYPES,
  ...FOLLOW_UP_DETAIL_TYPES,
  ...ERASURE_DETAIL_TYPES,
];

/** The default follow-up threshold: NPS detractors, and the two or three lowest CSAT and CES scores. */
export const DEFAULT_FOLLOW_UP_THRESHOLD = { nps: 6, csat: 2, ces: 3 } as const;
