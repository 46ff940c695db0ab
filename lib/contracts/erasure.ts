/**
 * Erasure (GDPR art. 17): the request anyone with PutEvents on the bus may make (a CRM, a privacy
 * portal, `afterword forget`), and the event Afterword emits when it is done. The result names no
 * one: it carries the request's own id and counts.
 */
import * as z from 'zod';

export const CUSTOMER_ERASURE_REQUESTED = 'Customer Erasure Requested';

/** The source of the events the CLI puts on a bus (never Afterword's own). */
export const CLI_SOURCE = 'afterword.cli';

export const CustomerErasureRequestedV1 = z
  .object({
    version: z.literal('1'),
    /**
     * The requester's id for this request, unique per request: a redelivery or a retry with the
     * same id finishes the same erasure rather than starting another.
     */
    requestId: z
      .string()
      .min(8)
      .max(128)
      .regex(/^[A-Za-z0-9._:-]+$/, 'must be letters, digits, ".", "_", ":" or "-"'),
    /** The customer's id, as producers send it in Interaction Completed. */
    customerId: z.string().trim().min(1).max(128).optional(),
    /** Or their address: every customer the directory holds with it (any letter case). */
    email: z.string().trim().min(3).max(254).optional(),
  })
  .refine((request) => (request.customerId === undefined) !== (request.email === undefined), {
    message: 'give exactly one of customerId and email',
  });
export type CustomerErasureRequested = z.infer<typeof CustomerErasureRequestedV1>;

export const CUSTOMER_ERASED = 'Customer Erased';

export const ErasureCounts = z.object({
  /** Customer ids the request matched (one for an id; any number for an address). */
  customers: z.number().int().nonnegative(),
  /** Invitations (decisions, sends, answers) scrubbed of identity, address, name and comments. */
  invitations: z.number().int().nonnegative(),
  /** Follow-up cases scrubbed of the customer id and the owners' notes. */
  cases: z.number().int().nonnegative(),
  /** Contact and directory items deleted. */
  contacts: z.number().int().nonnegative(),
  /** Opt-outs kept, by keyed hash only, so the person is not contacted again. */
  optOutsKept: z.number().int().nonnegative(),
});
export type ErasureCounts = z.infer<typeof ErasureCounts>;

export const CustomerErasedV1 = z.object({
  version: z.literal('1'),
  requestId: z.string(),
  requestedAt: z.iso.datetime(),
  completedAt: z.iso.datetime(),
  counts: ErasureCounts,
});
export type CustomerErased = z.infer<typeof CustomerErasedV1>;
