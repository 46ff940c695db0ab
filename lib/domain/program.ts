/**
 * A survey program, as the domain knows it: its schema (every field with its default and limits)
 * and its type. The programs config (lib/config) is a list of these, with settings around them.
 */
import * as z from 'zod';
import { isValidScore, Metric, SCALES, scoreRangeOf } from './metric.js';
import { MONTH } from './perception-gap.js';
import { isoDurationMillis } from './time.js';
import { allowedPlaceholders, isAllowedPlaceholder, placeholdersIn } from './wording.js';
import {
  isoDuration,
  clockTime,
  businessDuration,
  DEFAULT_ROOT_CAUSES,
  Owner,
  Wording,
  Question,
  Schedule,
  Population,
  Sample,
  questionId,
} from './program-parts.js';
import { questionnaireProblems } from './program-checks.js';
import { ValueSetting } from './value.js';
import { ReviewSetting } from './review.js';

export const Program = z
  .object({
    /**
     * `event`: surveyed after each interaction (default); `tracking`: a random sample of the
     * directory on a schedule, sized for a target margin; `periodic`: a deep-dive to a whole
     * population on a schedule.
     */
    kind: z.enum(['event', 'tracking', 'periodic']).default('event'),
    /** Tracking and periodic programs: when they run. */
    schedule: Schedule.optional(),
    /** Tracking and periodic programs: who may be asked. */
    population: Population.optional(),
    /** Tracking programs: how many are asked. */
    sample: Sample.optional(),
    /** Tracking and periodic programs: a run's sends are spread over this long. */
    spreadOver: isoDuration
      .refine(
        (value) => isoDurationMillis(value) <= 24 * 3600_000,
        'must be at most a day ("PT24H"): a run schedules its sends within the next day',
      )
      .default('PT4H'),
    touchpoint: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lower-case letters, digits, ".", "_" or "-"'),
    metric: Metric,
    enabled: z.boolean().default(true),
    /** How long after the interaction the survey is sent. */
    delay: isoDuration.default('PT1H'),
    /** How long the survey link stays valid after sending. */
    linkExpiry: isoDuration.default('P14D'),
    owner: Owner,
    /**
     * Local hours of the customer's day in which surveys go out, e.g. 09:00–20:00; a survey due
     * outside it waits for the next opening. `start` after `end` spans midnight. Default: any time.
     */
    sendWindow: z.object({ start: clockTime, end: clockTime }).optional(),
    /** Share of interactions surveyed, 0–1; decided deterministically per interaction. */
    sampling: z.number().min(0).max(1).default(1),
    /** No second survey of this program to one customer within this period. */
    coolDown: isoDuration.optional(),
    /** Past its send time by more than this (say, after an outage), a survey is not sent: too late to ask. */
    maxLateness: isoDuration.default('P2D'),
    /** One reminder this long after sending, when unanswered. Default: no reminder. */
    reminderAfter: isoDuration.optional(),
    /** Scores at or below this one ask the owner to follow up. Default: detractors / 1–2 / 1–3. */
    followUpThreshold: z.number().int().optional(),
    /**
     * How soon the owner should follow up a low score, in the owner's business hours ("PT4H",
     * "P1D" = one working day): the case's deadline and the due-by time in the event.
     */
    followUpWithin: businessDuration.default('P1D'),
    /** What an owner can name as the root cause when closing a case. */
    rootCauses: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9 _-]{0,39}$/, 'must be a short lower-case label'))
      .min(1)
      .max(30)
      .default(DEFAULT_ROOT_CAUSES),
    /** Target score in the metric's own units (NPS points, CSAT or CES percent). */
    target: z.number().optional(),
    /**
     * The score the touchpoint's owner expects customers to give, per calendar month (`YYYY-MM`),
     * in the metric's own units: set against the measured score as the perception gap. On AWS the
     * owner records it on the dashboard; a recorded one takes precedence over this.
     */
    expectations: z.record(z.string(), z.number()).optional(),
    /**
     * What an interaction was worth, for revenue at risk: the interaction attribute holding it and
     * its currency, e.g. `{ "attribute": "orderValue", "currency": "EUR" }` (value.ts).
     */
    value: ValueSetting.optional(),
    /**
     * The review programme: where happy customers are invited to review publicly, by locale, e.g.
     * `{ "destinations": { "en": "https://…", "de": "https://…" } }` (review.ts).
     */
    review: ReviewSetting.optional(),
    fallbackLocale: z.string().default('en'),
    /** Questions after the headline score, in the order shown. Default: none. */
    questions: z.array(Question).max(40).default([]),
    /**
     * A deep-dive's later pages, in order: each question naming a section is asked there, after
     * the page with the score; each page is saved when submitted. Default: one page.
     */
    sections: z
      .array(z.object({ id: questionId }))
      .max(10)
      .default([]),
    wording: z.record(z.string(), Wording),
  })
  .superRefine((program, ctx) => {
    questionnaireProblems(program, (path, message) =>
      ctx.addIssue({ code: 'custom', path, message }),
    );
    const scheduled = program.kind !== 'event';
    if (scheduled && !program.schedule) {
      ctx.addIssue({
        code: 'custom',
        path: ['schedule'],
        message: `a ${program.kind} program needs a schedule, such as { "frequency": "monthly", "day": "mon", "week": "first", "time": "10:00" }`,
      });
    }
    for (const key of ['schedule', 'population'] as const) {
      if (!scheduled && program[key]) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `only a tracking or periodic program has a ${key}: set "kind"`,
        });
      }
    }
    if (program.kind === 'tracking' && !program.sample) {
      ctx.addIssue({
        code: 'custom',
        path: ['sample'],
        message: 'a tracking program needs a sample, such as { "targetMargin": 5 }',
      });
    }
    if (program.kind !== 'tracking' && program.sample) {
      ctx.addIssue({
        code: 'custom',
        path: ['sample'],
        message:
          program.kind === 'periodic'
            ? 'a periodic program asks its whole population: leave sample out, or make it a tracking program'
            : 'only a tracking program has a sample: set "kind": "tracking"',
      });
    }
    for (const [locale, wording] of Object.entries(program.wording)) {
      for (const [field, value] of Object.entries(wording)) {
        const texts = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
        texts.forEach((text: string, index) => {
          for (const placeholder of placeholdersIn(text)) {
            if (isAllowedPlaceholder(field, placeholder)) continue;
            const allowed = allowedPlaceholders(field).map((name) => `{${name}}`);
            ctx.addIssue({
              code: 'custom',
              path: ['wording', locale, field, ...(Array.isArray(value) ? [index] : [])],
              message: `unknown placeholder {${placeholder}} in program "${program.touchpoint}", locale "${locale}": ${field} may use ${allowed.join(', ')}`,
            });
          }
        });
      }
    }
    if (!program.wording[program.fallbackLocale]) {
      ctx.addIssue({
        code: 'custom',
        path: ['wording'],
        message: `needs wording for the fallback locale "${program.fallbackLocale}"`,
      });
    }
    if (
      program.followUpThreshold !== undefined &&
      !isValidScore(program.metric, program.followUpThreshold)
    ) {
      const { min, max } = SCALES[program.metric];
      ctx.addIssue({
        code: 'custom',
        path: ['followUpThreshold'],
        message: `must be a score from ${min} to ${max} for ${program.metric}, got ${program.followUpThreshold}`,
      });
    }
    if (program.sendWindow && program.sendWindow.start === program.sendWindow.end) {
      ctx.addIssue({
        code: 'custom',
        path: ['sendWindow'],
        message: `start and end are both ${program.sendWindow.start}: leave the window out to send at any time`,
      });
    }
    const [low, high] = scoreRangeOf(program.metric);
    const scores: [(string | number)[], number | undefined][] = [
      [['target'], program.target],
      ...Object.entries(program.expectations ?? {}).map(
        ([month, value]): [(string | number)[], number] => [['expectations', month], value],
      ),
    ];
    for (const month of Object.keys(program.expectations ?? {})) {
      if (!MONTH.test(month)) {
        ctx.addIssue({
          code: 'custom',
          path: ['expectations', month],
          message: `"${month}" is not a month: expectations are keyed YYYY-MM`,
        });
      }
    }
    for (const [path, value] of scores) {
      if (value !== undefined && (value < low || value > high)) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `must be between ${low} and ${high} for ${program.metric}, got ${value}`,
        });
      }
    }
  });
export type Program = z.infer<typeof Program>;
export type ProgramSchedule = z.infer<typeof Schedule>;
