/**
 * The public `Interaction Completed` contract, version 1: what producers put on the bus.
 * The zod schema is the single source of the type; a removed or narrowed field is a breaking change.
 */
import * as z from 'zod';
import { isTimeZone } from '../domain/time.js';

export const INTERACTION_COMPLETED = 'Interaction Completed';

const token = z
  .string()
  .trim()
  .min(1)
  .max(64)
  // No /i flag: JSON Schema patterns have no flags, and the published schema must say the same.
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, ".", "_" or "-"');

export const Customer = z.object({
  id: z.string().trim().min(1).max(128),
  // Checked loosely here: an unusable address is a decision ("no-email"/"invalid-email"), not a
  // broken event, so intake can record why the customer was not asked.
  email: z.string().max(254).optional(),
  name: z.string().max(200).optional(),
  locale: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 tag such as "en-GB"')
    .optional(),
  timeZone: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone such as "Europe/London"')
    .optional(),
  segment: token.optional(),
});

export const Journey = z.object({
  id: token,
  step: token,
});

const attributeValue = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);

/** Attributes ride on every write of the invitation: bounded, so they cannot bloat it. */
export const MAX_ATTRIBUTES = 50;
export const MAX_ATTRIBUTES_BYTES = 4096;

/** An event never waits to be sent more than this before its interaction happened. */
export const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;

export const InteractionCompletedV1 = z.object({
  interactionId: z.string().trim().min(1).max(256),
  occurredAt: z.iso.datetime({ offset: true }),
  touchpoint: token,
  channel: token,
  customer: Customer,
  journey: Journey.optional(),
  attributes: z
    .record(z.string().max(100), attributeValue)
    .superRefine((attributes, ctx) => {
      const count = Object.keys(attributes).length;
      if (count > MAX_ATTRIBUTES) {
        ctx.addIssue({
          code: 'custom',
          message: `at most ${MAX_ATTRIBUTES} attributes, got ${count}`,
        });
      }
      const bytes = Buffer.byteLength(JSON.stringify(attributes));
      if (bytes > MAX_ATTRIBUTES_BYTES) {
        ctx.addIssue({
          code: 'custom',
          message: `at most ${MAX_ATTRIBUTES_BYTES} bytes as JSON, got ${bytes}`,
        });
      }
    })
    .optional(),
});
export type InteractionCompleted = z.infer<typeof InteractionCompletedV1>;

/** The EventBridge envelope as a target (Lambda, or the local bus) receives it. */
export const EventBridgeEnvelope = z.object({
  version: z.string().optional(),
  id: z.string(),
  'detail-type': z.string(),
  source: z.string(),
  account: z.string().optional(),
  time: z.string(),
  region: z.string().optional(),
  resources: z.array(z.string()).optional(),
  detail: z.unknown(),
});
export type EventBridgeEvent = z.infer<typeof EventBridgeEnvelope>;

/** Every problem of a failed parse, one per line, each prefixed by its path (`customer.email: …`). */
export function describeIssues(error: z.ZodError, root = ''): string[] {
  return error.issues.map((issue) => {
    const path = [root, ...issue.path.map(String)].filter(Boolean).join('.');
    return `${path || '(root)'}: ${issue.message}`;
  });
}
