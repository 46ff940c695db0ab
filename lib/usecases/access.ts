/**
 * A customer's access request (GDPR art. 15): everything Afterword stores about them, in one
 * document. Their profile and contact state, every invitation (the interaction as received, the
 * decision, sends, delivery feedback, answers, comments, earlier answers), every follow-up case
 * about them, and the timeline these make. What names them only by keyed hash (opt-outs and
 * suppressions of their address) cannot be listed by id, and is said so.
 */
import type { FollowUpCase } from '../contracts/follow-up-case.js';
import type { Invitation } from '../contracts/invitation.js';
import type { CustomerProfile } from '../domain/customer-profile.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { timelineOf, type TimelineEntry } from './timeline.js';

/** What access reaches of the runtime: its functions are built with these and no more. */
export const ACCESS_USES = [
  'cases',
  'config',
  'contacts',
  'invitations',
] as const satisfies readonly RuntimePart[];
export type AccessDeps = Needs<typeof ACCESS_USES>;

export interface CustomerRecord {
  customerId: string;
  generatedAt: string;
  /** The directory's profile (address, locale, time zone, segment, last seen). */
  profile: CustomerProfile | null;
  /** Contact history and consent. */
  contact: {
    optedOutAt: string | null;
    lastInvitedAt: string | null;
    lastSurveyedPerProgram: Record<string, string>;
  };
  invitations: Invitation[];
  cases: FollowUpCase[];
  timeline: TimelineEntry[];
  notes: string[];
}

/** The most invitations one request lists (a customer reaches far fewer within the retention). */
const MAX_INVITATIONS = 10_000;

export async function customerRecord(
  rt: AccessDeps,
  customerId: string,
  now: Date,
): Promise<CustomerRecord> {
  const [contact, invitations] = await Promise.all([
    rt.contacts.get(customerId, { consistent: false }),
    rt.invitations.ofCustomer(customerId, MAX_INVITATIONS),
  ]);
  const cases = (
    await Promise.all(
      invitations
        .filter((invitation) => invitation.followUpRequestedAt)
        .map((invitation) =>
          rt.cases.get(invitation.invitationId, invitation.followUpRequestedAt!),
        ),
    )
  ).filter((found): found is FollowUpCase => found !== undefined);
  return {
    customerId,
    generatedAt: now.toISOString(),
    profile: contact.profile ?? null,
    contact: {
      optedOutAt: contact.optedOutAt ?? null,
      lastInvitedAt: contact.lastInvitedAt ?? null,
      lastSurveyedPerProgram: contact.programLast,
    },
    invitations,
    cases,
    timeline: timelineOf(invitations),
    notes: [
      'Opt-outs and suppressions (bounces, complaints) of an address are kept as a keyed hash of the address, which cannot be listed by customer id; the contact state above says whether this customer opted out.',
      `Everything listed expires ${rt.config.dataRetentionDays} days after the interaction (invitations, cases) or the last sighting (the profile); an opt-out is kept for good.`,
    ],
  };
}
