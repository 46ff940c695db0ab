/**
 * A follow-up case: what the touchpoint's owner does about one unhappy answer, from the request to
 * its close. One per invitation. It names the customer by id only; the comment, name and address
 * stay on the invitation, read when an owner opens the case, and expire with it.
 */
import * as z from 'zod';

export const CASE_STATUSES = ['open', 'contacted', 'resolved', 'no-action', 'withdrawn'] as const;
export const CaseStatus = z.enum(CASE_STATUSES);
export type CaseStatus = z.infer<typeof CaseStatus>;

/** Where each status may go, and who moves it there. */
export const CASE_TRANSITIONS: Record<CaseStatus, readonly CaseStatus[]> = {
  open: ['contacted', 'resolved', 'no-action', 'withdrawn'],
  contacted: ['resolved', 'no-action', 'withdrawn'],
  resolved: [],
  'no-action': [],
  withdrawn: [],
};

/** Statuses after which nothing more happens to a case. */
export const CLOSED_STATUSES: readonly CaseStatus[] = ['resolved', 'no-action', 'withdrawn'];

/**
 * Who moved a case: a signed-in owner or lead (their subject: OpenID Connect allows 255
 * characters), the customer, or Afterword itself.
 */
export const CaseActor = z.string().min(1).max(255);

export const CaseTransition = z.object({
  to: CaseStatus,
  at: z.iso.datetime(),
  by: CaseActor,
});

export const CaseNote = z.object({
  at: z.iso.datetime(),
  by: CaseActor,
  text: z.string().min(1).max(1000),
});

/** At most this many notes per case (each up to 1,000 characters): the item stays small. */
export const MAX_CASE_NOTES = 20;

export const FollowUpCase = z.object({
  invitationId: z.string(),
  customerId: z.string(),
  touchpoint: z.string(),
  channel: z.string(),
  segment: z.string().optional(),
  journeyStep: z.string().optional(),
  metric: z.enum(['nps', 'csat', 'ces']),
  score: z.number().int(),
  threshold: z.number().int(),
  /** The customer ticked the program's follow-up question ("you may contact me"). */
  contactAllowed: z.boolean(),
  owner: z.object({ name: z.string(), email: z.string() }),
  openedAt: z.iso.datetime(),
  dueBy: z.iso.datetime(),
  status: CaseStatus,
  rootCause: z.string().optional(),
  notes: z.array(CaseNote).default([]),
  transitions: z.array(CaseTransition).default([]),
  ownerNotifiedAt: z.iso.datetime().optional(),
  firstContactAt: z.iso.datetime().optional(),
  closedAt: z.iso.datetime().optional(),
  overdueAt: z.iso.datetime().optional(),
  escalatedAt: z.iso.datetime().optional(),
  escalatedTo: z.string().optional(),
});
export type FollowUpCase = z.infer<typeof FollowUpCase>;

/** Whether the case met its deadline: first contact (or a close) by the due-by time. */
export function metDeadline(followUp: FollowUpCase): boolean | undefined {
  const handledAt = followUp.firstContactAt ?? followUp.closedAt;
  if (followUp.status === 'withdrawn' && !followUp.firstContactAt) return undefined;
  if (!handledAt) return undefined;
  return handledAt <= followUp.dueBy;
}
