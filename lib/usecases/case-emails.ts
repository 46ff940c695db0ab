/**
 * The emails of closing the loop: a new case to its owner, an overdue one to whom it escalates, in
 * plain text, with the case's link on the dashboard.
 */
import { ownerCalendar } from '../config/schema.js';
import type { FollowUpCase } from '../contracts/follow-up-case.js';
import { SCALES } from '../domain/metric.js';
import type { Needs, RuntimePart } from '../runtime.js';
import type { CaseContext } from './follow-up.js';

/** What case-emails reaches of the runtime: its functions are built with these and no more. */
export const CASE_EMAILS_USES = [
  'config',
  'mailer',
  'publicBaseUrl',
] as const satisfies readonly RuntimePart[];
export type CaseEmailsDeps = Needs<typeof CASE_EMAILS_USES>;

/** The case's page on the signed-in dashboard. */
export function caseUrl(rt: CaseEmailsDeps, invitationId: string): string {
  return new URL(
    `/dashboard/cases/${encodeURIComponent(invitationId)}`,
    rt.publicBaseUrl,
  ).toString();
}

export const METRIC_NAMES = { nps: 'NPS', csat: 'CSAT', ces: 'CES' } as const;

function when(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(new Date(instant));
}

/**
 * The case as plain text for the owner: score, comment, who the customer is and whether they may
 * be contacted, the deadline, and the link. No HTML and so no tracking pixel; staff email only.
 */
export function caseEmailText(
  rt: CaseEmailsDeps,
  { invitation, program }: CaseContext,
  followUp: FollowUpCase,
  lead: string,
): string {
  const zone = ownerCalendar(rt.config, program.owner).timeZone;
  const { min, max } = SCALES[program.metric];
  // Each line of the customer's text quoted, so it cannot pass for the email's own lines.
  const comment = invitation.comment
    ?.trim()
    .split(/\r?\n/)
    .map((line) => `> ${line}`)
    .join('\n');
  const customer = [
    invitation.name
      ? `${invitation.name} (customer ${invitation.customerId})`
      : `customer ${invitation.customerId}`,
    invitation.segment ? `segment ${invitation.segment}` : undefined,
    `locale ${invitation.locale}`,
  ]
    .filter(Boolean)
    .join(', ');
  return [
    lead,
    '',
    `Score: ${followUp.score} (${METRIC_NAMES[program.metric]}, ${min}–${max}; follow-up at ${followUp.threshold} or below)`,
    comment ? `Comment:\n${comment}` : 'Comment: (none)',
    '',
    `Customer: ${customer}`,
    // The customer's tick as it stands now: a later answer may have ticked or unticked it.
    invitation.followUp === true && invitation.email
      ? `They asked to be contacted: reply to ${invitation.email}.`
      : 'They did not ask to be contacted: look into it, then close the case with a root cause (or no action).',
    `Interaction: ${invitation.interactionId} on ${invitation.channel}, ${when(invitation.occurredAt, zone)}`,
    `Answered: ${when(followUp.openedAt, zone)}`,
    '',
    `Follow up by: ${when(followUp.dueBy, zone)}`,
    `Open the case: ${caseUrl(rt, followUp.invitationId)}`,
    '',
    `You get this email because you answer for the ${followUp.touchpoint} touchpoint in ${rt.config.brand}'s customer surveys.`,
  ].join('\n');
}

export async function emailOwner(rt: CaseEmailsDeps, context: CaseContext, followUp: FollowUpCase) {
  const owner = context.program.owner;
  const text = caseEmailText(
    rt,
    context,
    followUp,
    `A customer answered ${followUp.touchpoint} with a low score. The case is yours, ${owner.name}.`,
  );
  const subject = `Follow up: ${followUp.touchpoint} scored ${followUp.score} (due ${when(followUp.dueBy, ownerCalendar(rt.config, owner).timeZone)})`;
  // One email to the owner and the team together: a retry after a failure resends it whole,
  // never to the first half of the list again and again.
  await rt.mailer.send({ from: rt.config.sender, to: [owner.email, ...owner.team], subject, text });
}

export async function emailEscalation(
  rt: CaseEmailsDeps,
  context: CaseContext,
  followUp: FollowUpCase,
  to: string,
) {
  const owner = followUp.owner;
  const text = caseEmailText(
    rt,
    context,
    followUp,
    `This follow-up of ${followUp.touchpoint} is overdue: ${owner.name} (${owner.email}) has not contacted the customer. It is escalated to you.`,
  );
  await rt.mailer.send({
    from: rt.config.sender,
    to,
    subject: `Overdue follow-up: ${followUp.touchpoint} scored ${followUp.score}`,
    text,
  });
}
