/**
 * A customer's timeline across channels: their interactions, the decisions about them, the
 * surveys sent, delivery feedback and answers (earlier answers too), newest first. Shared by the
 * CLI and, later, the web app.
 */
import type { Invitation } from '../contracts/invitation.js';
import type { Needs, RuntimePart } from '../runtime.js';

/** What timeline reaches of the runtime: its functions are built with these and no more. */
export const TIMELINE_USES = ['invitations'] as const satisfies readonly RuntimePart[];
export type TimelineDeps = Needs<typeof TIMELINE_USES>;

export type TimelineKind =
  'interaction' | 'decision' | 'sent' | 'delivered' | 'bounced' | 'complained' | 'answered';

export interface TimelineEntry {
  at: string;
  kind: TimelineKind;
  invitationId: string;
  touchpoint: string;
  channel: string;
  /** decision: the status decided (scheduled or skipped) and, when skipped, why. */
  status?: Invitation['status'];
  reason?: string;
  score?: number;
  comment?: string;
}

export async function customerTimeline(
  rt: TimelineDeps,
  customerId: string,
  options: { limit?: number } = {},
): Promise<TimelineEntry[]> {
  return timelineOf(await rt.invitations.ofCustomer(customerId, options.limit ?? 50));
}

/** The timeline these invitations make, newest first. */
export function timelineOf(invitations: Invitation[]): TimelineEntry[] {
  return invitations.flatMap(entriesOf).sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

function entriesOf(invitation: Invitation): TimelineEntry[] {
  const { invitationId, touchpoint, channel } = invitation;
  const entry = (kind: TimelineKind, at: string | undefined, extra: Partial<TimelineEntry> = {}) =>
    at ? [{ at, kind, invitationId, touchpoint, channel, ...extra }] : [];
  const skipped = invitation.status === 'skipped' || invitation.status === 'cancelled';
  // The history holds the answers a change replaced; the current one is the item's own (items
  // from before `answerCount` kept the current one in the history too: it is not listed twice).
  const current =
    invitation.answeredAt && invitation.score !== undefined
      ? [
          {
            answeredAt: invitation.answeredAt,
            score: invitation.score,
            comment: invitation.comment,
          },
        ]
      : [];
  const earlier = (invitation.history ?? []).filter(
    (answer) => answer.answeredAt !== invitation.answeredAt,
  );
  const answers = [...earlier, ...current];
  return [
    ...entry('interaction', invitation.occurredAt),
    ...entry('decision', invitation.decidedAt, {
      status: skipped ? invitation.status : 'scheduled',
      ...(skipped ? { reason: invitation.reason } : {}),
    }),
    ...entry('sent', invitation.sentAt),
    ...entry('delivered', invitation.deliveredAt),
    ...entry('bounced', invitation.bouncedAt),
    ...entry('complained', invitation.complainedAt),
    ...answers.flatMap((answer) =>
      entry('answered', answer.answeredAt, {
        score: answer.score,
        ...(answer.comment ? { comment: answer.comment } : {}),
      }),
    ),
  ];
}
