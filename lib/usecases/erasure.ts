/**
 * Erasure of a customer (GDPR art. 17), from a `Customer Erasure Requested` event:
 *
 * 1. Who: the customer id given, or every customer the directory holds with the address given.
 * 2. The record (kept, without identity: keyed hashes of the ids) and its inventory: every
 *    invitation of those customers, fixed by the first attempt, so a retry after a crash works
 *    through the same list and counts each item once.
 * 3. An opt-out the customer gave is kept, as keyed hashes of their address(es) and id, so they
 *    are not contacted again; a suppression (bounce, complaint) is kept as it is (keyed already).
 * 4. Each invitation scrubbed (id, address, name, comments, free text, attributes), its follow-up
 *    case scrubbed (id, notes); what the rollups count stays, so no reported number changes.
 * 5. Invitations that arrived while this ran, then the contact and directory items, deleted.
 * 6. The record completed with its counts, and `Customer Erased` published (no one named in it).
 *
 * Every step is idempotent: a redelivered request, or the retry of one that crashed half-way,
 * finishes the work and reports the same counts.
 */
import { log } from '../adapters/log.js';
import {
  CUSTOMER_ERASED,
  type CustomerErased,
  type CustomerErasureRequested,
  type ErasureCounts,
} from '../contracts/erasure.js';
import type { Invitation } from '../contracts/invitation.js';
import { InvalidEventError } from '../domain/errors.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { CustomerErasureRequestedV1 } from '../contracts/erasure.js';
import { asFunction } from '../adapters/function-scope.js';

/** What erasure reaches of the runtime: its functions are built with these and no more. */
export const ERASURE_USES = [
  'cases',
  'contacts',
  'erasures',
  'events',
  'invitations',
  'programFor',
  'suppressions',
] as const satisfies readonly RuntimePart[];
export type ErasureDeps = Needs<typeof ERASURE_USES>;

/** The request in an event's detail, or InvalidEventError naming every problem (dead-lettered). */
export function erasureRequestOf(detail: unknown): CustomerErasureRequested {
  const parsed = CustomerErasureRequestedV1.safeParse(detail);
  if (!parsed.success) {
    throw new InvalidEventError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'detail'}: ${issue.message}`),
    );
  }
  return parsed.data;
}

/** The answers and history of an invitation without anything the customer typed. */
export function countableAnswers(
  rt: ErasureDeps,
  invitation: Invitation,
): Pick<Invitation, 'answers' | 'history'> {
  const questions = new Map(
    (rt.programFor(invitation.touchpoint)?.questions ?? []).map((q) => [q.id, q.type]),
  );
  // A question no longer in the config might have been free text: it goes too.
  const keep = (answers: Invitation['answers']) => {
    if (!answers) return undefined;
    const kept = Object.fromEntries(
      Object.entries(answers).filter(([id]) => {
        const type = questions.get(id);
        return type !== undefined && type !== 'text';
      }),
    );
    return Object.keys(kept).length ? kept : undefined;
  };
  return {
    answers: keep(invitation.answers),
    history: invitation.history?.map(({ score, answeredAt, answers }) => {
      const kept = keep(answers);
      return { score, answeredAt, ...(kept ? { answers: kept } : {}) };
    }),
  };
}

export function eraseCustomer(
  rt: ErasureDeps,
  request: CustomerErasureRequested,
  now: Date,
): Promise<CustomerErased> {
  return asFunction('erasure', () => erase(rt, request, now));
}

/** Attempts at one invitation whose status or answers keep moving under the erasure. */
const MAX_SCRUB_ATTEMPTS = 5;

async function erase(
  rt: ErasureDeps,
  request: CustomerErasureRequested,
  now: Date,
): Promise<CustomerErased> {
  const customerIds = request.customerId
    ? [request.customerId]
    : await rt.contacts.idsWithAddress(
        request.email!,
        await rt.suppressions.ref('address', request.email!),
      );
  const subjects = await Promise.all(
    customerIds.map((customerId) => rt.suppressions.ref('customer', customerId)),
  );
  // What this request is about, by keyed hash: a request id reused for someone else is refused.
  const target = request.customerId
    ? await rt.suppressions.ref('customer', request.customerId)
    : await rt.suppressions.ref('address', request.email!);
  const record = await rt.erasures.begin(request.requestId, now, subjects, target);
  if (!record) {
    throw new InvalidEventError([
      `requestId: ${request.requestId} was already used for another erasure request`,
    ]);
  }
  if (record.completedAt && record.counts) return erased(rt, record.requestedAt, record);

  // First, so that an interaction from before now (in flight, retried, redriven) stores nothing
  // of them, whatever this run has done by then.
  for (const customerId of customerIds) {
    await rt.suppressions.markErased(customerId, new Date(record.requestedAt));
  }
  const [contacts, consents] = await Promise.all([
    Promise.all(customerIds.map((id) => rt.contacts.get(id))),
    Promise.all(customerIds.map((id) => rt.suppressions.customerConsent(id))),
  ]);
  const optedOut = customerIds
    .map((_, i) => contacts[i]!.optedOutAt ?? consents[i]!.optedOutAt)
    .filter((at): at is string => at !== undefined)
    .sort();
  const plan = await rt.erasures.plan(request.requestId, {
    customers: customerIds.length,
    invitations: (await idsOf(rt, customerIds)).sort(),
    contacts: contacts.filter((c) => c.stored === 'current' || c.stored === 'legacy').length,
    optedOutCustomers: optedOut.length,
    ...(optedOut[0] ? { optedOutAt: optedOut[0] } : {}),
  });
  const counts: ErasureCounts = {
    customers: plan.customers,
    invitations: 0,
    cases: 0,
    contacts: plan.contacts,
    optOutsKept: plan.optedOutCustomers,
  };

  const seenAddresses = new Set<string>();
  const scrub = async (invitationId: string) => {
    for (let attempt = 1; attempt <= MAX_SCRUB_ATTEMPTS; attempt++) {
      const invitation = await rt.invitations.get(invitationId);
      if (!invitation) return; // expired meanwhile: nothing left to scrub
      const addressRef = invitation.email
        ? await rt.suppressions.ref('address', invitation.email)
        : invitation.addressRef;
      if (invitation.email && addressRef && !seenAddresses.has(addressRef)) {
        seenAddresses.add(addressRef);
        // Before the address goes: an opted-out customer's addresses stay opted out, and a
        // suppression of the first, unkeyed shape moves to the keyed one.
        if (plan.optedOutAt) {
          await rt.suppressions.optOutAddress({ ref: addressRef }, new Date(plan.optedOutAt));
        }
        await rt.suppressions.moveLegacySuppression(invitation.email);
      }
      if (invitation.followUpRequestedAt) {
        await rt.cases.erase(invitationId, invitation.followUpRequestedAt, now);
      }
      const outcome = invitation.erasedAt
        ? 'already'
        : await rt.invitations.erase(invitation, countableAnswers(rt, invitation), now, addressRef);
      if (outcome !== 'changed') {
        counts.invitations += 1;
        if (
          invitation.followUpRequestedAt &&
          (await rt.cases.get(invitationId, invitation.followUpRequestedAt))
        ) {
          counts.cases += 1;
        }
        return;
      }
    }
    throw new Error(
      `erasure: invitation ${invitationId} kept changing over ${MAX_SCRUB_ATTEMPTS} attempts`,
    );
  };
  for (const invitationId of plan.invitations) await scrub(invitationId);

  // Last, as the contact items say who opted out: a crash before this finds them on the retry.
  for (const [i, customerId] of customerIds.entries()) {
    const optedOutAt = contacts[i]!.optedOutAt;
    if (optedOutAt) await rt.suppressions.optOutCustomer(customerId, new Date(optedOutAt));
    await rt.contacts.forget(customerId);
  }
  // Interactions decided while this ran (their intake read the erasure mark a moment before it
  // was written): added to the plan first, so a retry counts them too.
  const planned = new Set(plan.invitations);
  const latecomers = (await idsOf(rt, customerIds)).filter((id) => !planned.has(id));
  if (latecomers.length) {
    await rt.erasures.addToPlan(request.requestId, latecomers);
    for (const invitationId of latecomers) await scrub(invitationId);
  }
  const completed = await rt.erasures.complete(request.requestId, counts, now);
  log.info('erasure.completed', { requestId: request.requestId, ...completed.counts });
  return erased(rt, completed.requestedAt, completed);
}

async function idsOf(rt: ErasureDeps, customerIds: string[]): Promise<string[]> {
  return (await Promise.all(customerIds.map((id) => rt.invitations.idsOfCustomer(id)))).flat();
}

async function erased(
  rt: ErasureDeps,
  requestedAt: string,
  record: { requestId: string; completedAt?: string; counts?: ErasureCounts },
): Promise<CustomerErased> {
  const detail: CustomerErased = {
    version: '1',
    requestId: record.requestId,
    requestedAt,
    completedAt: record.completedAt!,
    counts: record.counts!,
  };
  // Published on every completion, a redelivery's too: subscribers key on the request id.
  await rt.events.publish(CUSTOMER_ERASED, detail);
  return detail;
}
