/**
 * `afterword forget ID|EMAIL`: an erasure requested as any requester would (an event on the bus),
 * then awaited by reading its record back, so the CLI reports what the erasure function did.
 */
import * as z from 'zod';
import { CustomerErasureRequestedV1, type CustomerErasureRequested } from '../contracts/erasure.js';
import type { ErasureRecord } from '../store/erasures.js';

/** A usage problem in what was asked to forget (printed, exit 2). */
export class ForgetUsageError extends Error {
  override name = 'ForgetUsageError';
}

/**
 * The request for an id or an address: anything that reads as an address is one (customer ids
 * are opaque strings from the producers and do not look like addresses).
 */
export function erasureRequestFor(who: string, requestId: string): CustomerErasureRequested {
  const trimmed = who.trim();
  const isAddress = z.email().safeParse(trimmed).success;
  const parsed = CustomerErasureRequestedV1.safeParse({
    version: '1',
    requestId,
    ...(isAddress ? { email: trimmed } : { customerId: trimmed }),
  });
  if (!parsed.success) {
    throw new ForgetUsageError(
      `cannot forget "${who}": ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/** Reads the record until the erasure completed, or `waitMs` passed (polls, bounded). */
export async function awaitErasure(
  read: () => Promise<ErasureRecord | undefined>,
  { waitMs, pollMs = 250 }: { waitMs: number; pollMs?: number },
): Promise<ErasureRecord | undefined> {
  const deadline = Date.now() + waitMs;
  let record = await read();
  while (!record?.completedAt && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, pollMs));
    record = await read();
  }
  return record;
}

/** One line for the person who asked: what was scrubbed, deleted and kept. */
export function describeErasure(record: ErasureRecord): string {
  const c = record.counts!;
  const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  return `erasure ${record.requestId} completed at ${record.completedAt}: ${plural(c.customers, 'customer')} matched; ${plural(c.invitations, 'invitation')} and ${plural(c.cases, 'follow-up case')} scrubbed; ${plural(c.contacts, 'contact item')} deleted; ${plural(c.optOutsKept, 'opt-out')} kept by keyed hash`;
}
