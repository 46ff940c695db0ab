/**
 * Programs as code: the one config file that says which touchpoints are surveyed, how, and by whom.
 * Validated at start-up, at synth and in tests; every problem is reported with its path. A program
 * and its parts are the domain's (lib/domain/program.ts); this adds the settings around them.
 */
import * as z from 'zod';
import { isTimeZone } from '../domain/time.js';
import type { BusinessCalendar } from '../domain/business-hours.js';
import { Branding } from '../domain/branding.js';
import { Program } from '../domain/program.js';
import { BusinessHours, isoDuration, timeZone, type Owner } from '../domain/program-parts.js';

export const AfterwordConfig = z
  .object({
    $schema: z.string().optional(),
    /** The brand's name: `{brand}` in wording, and the From display name unless branding says otherwise. */
    brand: z.string().min(1).max(100),
    /** Address surveys are sent from (a verified SES identity on AWS): the bare address. */
    sender: z.email(),
    branding: Branding.prefault({}),
    /** Rollup days are cut in this time zone. */
    timeZone,
    /** Owners' working hours, unless an owner has their own: follow-up deadlines count these. */
    businessHours: BusinessHours.prefault({}),
    /** Used when an event carries no customer time zone. */
    defaultCustomerTimeZone: z
      .string()
      .refine(isTimeZone, 'must be an IANA time zone such as "Europe/London"')
      .optional(),
    /** Invitations (with their contact data and answers) expire from the table after this many days; rollups stay. */
    dataRetentionDays: z.number().int().min(30).max(3650).default(400),
    /** The nightly digest to CX leads, sent after the rollup. Default: none. */
    digest: z
      .object({
        recipients: z.array(z.email()).min(1),
        /** Where the digest's link points, e.g. the CloudWatch dashboard on AWS. Default: the local dashboard. */
        dashboardUrl: z.url().optional(),
      })
      .optional(),
    /** Sending limits. */
    sending: z
      .object({
        /** Emails per second; default: the account's SES maximum send rate (GetAccount). */
        maxSendRate: z.number().positive().max(10_000).optional(),
      })
      .prefault({}),
    /** Contact rules across all programs, so no customer is pestered. */
    contactRules: z
      .object({
        /** No two surveys, of any program, to one customer within this period. */
        globalCoolDown: isoDuration.default('P30D'),
        /** At most `max` surveys to one customer in any rolling `period`. */
        cap: z
          .object({ max: z.number().int().min(1), period: isoDuration })
          .default({ max: 4, period: 'P90D' }),
      })
      .prefault({}),
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

/** The calendar an owner's deadlines count in: their own hours over the config's. */
export function ownerCalendar(
  config: Pick<AfterwordConfig, 'businessHours' | 'timeZone'>,
  owner: Pick<Owner, 'businessHours'>,
): BusinessCalendar {
  const hours = owner.businessHours ?? config.businessHours;
  return {
    timeZone: hours.timeZone ?? config.businessHours.timeZone ?? config.timeZone,
    days: hours.days,
    start: hours.start,
    end: hours.end,
    holidays: hours.holidays,
  };
}
