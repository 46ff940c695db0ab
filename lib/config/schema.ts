/**
 * Programs as code: the one config file that says which touchpoints are surveyed, how, and by whom.
 * Validated at start-up, at synth and in tests; every problem is reported with its path.
 */
import { Duration } from 'luxon';
import * as z from 'zod';
import { Metric } from '../domain/metric.js';
import { isTimeZone } from '../domain/time.js';

const isoDuration = z.string().refine((value) => {
  const duration = Duration.fromISO(value);
  return duration.isValid && duration.toMillis() >= 0;
}, 'must be an ISO-8601 duration such as "PT1H" or "P14D"');

const Wording = z.object({
  subject: z.string().min(1).max(150),
  /** Shown above the question; `{name}` becomes the customer's name or a neutral greeting. */
  greeting: z.string().min(1).max(200),
  /** The question; `{brand}` and `{touchpoint}` are replaced (metrics.md wording). */
  question: z.string().min(1).max(300),
  lowLabel: z.string().min(1).max(60),
  highLabel: z.string().min(1).max(60),
  commentPrompt: z.string().min(1).max(200),
  submit: z.string().min(1).max(60),
  thanks: z.string().min(1).max(300),
});
export type Wording = z.infer<typeof Wording>;

export const Program = z
  .object({
    touchpoint: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lower-case letters, digits, ".", "_" or "-"'),
    metric: Metric,
    enabled: z.boolean().default(true),
    /** How long after the interaction the survey is sent. */
    delay: isoDuration.default('PT1H'),
    /** How long the survey link stays valid after sending. */
    linkExpiry: isoDuration.default('P14D'),
    owner: z.object({ name: z.string().min(1), email: z.email() }),
    /** Target score in the metric's own units (NPS points, CSAT or CES percent). */
    target: z.number().optional(),
    fallbackLocale: z.string().default('en'),
    wording: z.record(z.string(), Wording),
  })
  .superRefine((program, ctx) => {
    if (!program.wording[program.fallbackLocale]) {
      ctx.addIssue({
        code: 'custom',
        path: ['wording'],
        message: `needs wording for the fallback locale "${program.fallbackLocale}"`,
      });
    }
    if (program.target !== undefined) {
      const [low, high] = program.metric === 'nps' ? [-100, 100] : [0, 100];
      if (program.target < low || program.target > high) {
        ctx.addIssue({
          code: 'custom',
          path: ['target'],
          message: `must be between ${low} and ${high} for ${program.metric}, got ${program.target}`,
        });
      }
    }
  });
export type Program = z.infer<typeof Program>;

export const AfterwordConfig = z
  .object({
    $schema: z.string().optional(),
    brand: z.string().min(1).max(100),
    /** Address surveys are sent from (a verified SES identity on AWS). */
    sender: z.email(),
    /** Rollup days are cut in this time zone. */
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as "Europe/London"'),
    /** Used when an event carries no customer time zone. */
    defaultCustomerTimeZone: z
      .string()
      .refine(isTimeZone, 'must be an IANA time zone such as "Europe/London"')
      .optional(),
    /** Invitations (with their contact data and answers) expire from the table after this many days; rollups stay. */
    dataRetentionDays: z.number().int().min(30).max(3650).default(400),
    programs: z.array(Program).min(1),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.programs.forEach((program, index) => {
      const first = seen.get(program.touchpoint);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['programs', index, 'touchpoint'],
          message: `duplicate touchpoint "${program.touchpoint}" (also programs.${first})`,
        });
      } else {
        seen.set(program.touchpoint, index);
      }
    });
  });
export type AfterwordConfig = z.infer<typeof AfterwordConfig>;
