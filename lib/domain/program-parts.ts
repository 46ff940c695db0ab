/**
 * The parts a program is made of, as validated schemas: durations and clock times, business hours,
 * the owner, the wording per locale, the questionnaire's questions, the schedule, population and
 * sample of tracking and periodic programs. The domain's own: the config composes them.
 */
import * as z from 'zod';
import { isoDurationMillis, isTimeZone } from './time.js';
import { businessDurationProblem, WEEKDAYS } from './business-hours.js';
import { QUESTION_ID, ALL_SCORE_GROUPS, type ScoreGroup } from './questionnaire.js';

export const isoDuration = z
  .string()
  .refine(
    (value) => isoDurationMillis(value) >= 0,
    'must be an ISO-8601 duration such as "PT1H" or "P14D"',
  );

export const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day such as "09:00"');

export const interactionLine = z.string().min(1).max(200);

/** Working time: weeks, days (one working day each), hours and minutes of the owner's calendar. */
export const businessDuration = z.string().superRefine((value, ctx) => {
  const problem = businessDurationProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const timeZone = z
  .string()
  .refine(isTimeZone, 'must be an IANA time zone such as "Europe/London"');

/** When an owner works: follow-up deadlines count these hours only. */
export const BusinessHours = z
  .object({
    /** Default: the config's `timeZone`. */
    timeZone: timeZone.optional(),
    days: z.array(z.enum(WEEKDAYS)).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']),
    start: clockTime.default('09:00'),
    end: clockTime.default('17:00'),
    /** Whole days off, YYYY-MM-DD. */
    holidays: z.array(z.iso.date()).default([]),
  })
  .refine((hours) => hours.start < hours.end, {
    message: 'start must be before end (business hours within one day)',
    path: ['end'],
  });
export type BusinessHours = z.infer<typeof BusinessHours>;

/** Root causes an owner picks from when closing a case, unless the program lists its own. */
export const DEFAULT_ROOT_CAUSES = [
  'product',
  'delivery',
  'staff',
  'process',
  'price',
  'communication',
  'other',
];

/**
 * Who answers for a touchpoint: gets the email of every unhappy answer, sees its cases, and is
 * escalated past when a case stays open after its deadline.
 */
export const Owner = z.object({
  name: z.string().min(1).max(100),
  email: z.email(),
  /** Further addresses that get the owner's emails and see the touchpoint as owners (a team). */
  team: z.array(z.email()).max(20).default([]),
  /** Where an overdue case goes next (a manager, a team list). Default: nobody. */
  escalateTo: z.email().optional(),
  /** How long after the deadline, in business time, an open case is escalated. */
  escalateAfter: businessDuration.default('PT4H'),
  /** The owner's working hours. Default: the config's `businessHours`. */
  businessHours: BusinessHours.optional(),
});
export type Owner = z.infer<typeof Owner>;

/** One question's texts in one language. */
export const QuestionWording = z.object({
  text: z.string().min(1).max(300),
  /** A line under the question (e.g. "Choose up to three"). */
  hint: z.string().min(1).max(200).optional(),
  /** The label of every option, by option id (choice questions). */
  options: z.record(z.string(), z.string().min(1).max(120)).optional(),
  /** The ends of a 1–5 rating. */
  lowLabel: z.string().min(1).max(60).optional(),
  highLabel: z.string().min(1).max(60).optional(),
});
export type QuestionWording = z.infer<typeof QuestionWording>;

/**
 * One program's texts in one language. Placeholders are checked against the texts' own lists
 * (wording.ts) when the config loads; `{brand}` works in every text.
 */
export const Wording = z.object({
  subject: z.string().min(1).max(150),
  /** Shown above the question when the customer's name is known (`{name}`); left out otherwise. */
  greeting: z.string().min(1).max(200),
  /** The question; `{brand}` and `{touchpoint}` are replaced (metrics.md wording). */
  question: z.string().min(1).max(300),
  /**
   * The line that says which interaction the survey is about, from the invitation's snapshot:
   * `{date}` (the interaction's day), `{touchpoint}`, `{channel}`, `{attributes.<name>}`. A list
   * gives fallbacks: the first line whose placeholders all have values is used, none if none has.
   */
  interaction: z.union([interactionLine, z.array(interactionLine).min(1).max(5)]).optional(),
  lowLabel: z.string().min(1).max(60),
  highLabel: z.string().min(1).max(60),
  commentPrompt: z.string().min(1).max(200),
  submit: z.string().min(1).max(60),
  thanks: z.string().min(1).max(300),
  /** An optional follow-up question, answered with a tick (e.g. "May we contact you about this?"). */
  followUpQuestion: z.string().min(1).max(200).optional(),
  /** Subject of the one reminder. Default: the subject. */
  reminderSubject: z.string().min(1).max(150).optional(),
  /** Footer line and link text for unsubscribing. */
  footer: z
    .string()
    .min(1)
    .max(300)
    .default('You are receiving this because you were recently in touch with {brand}.'),
  unsubscribe: z.string().min(1).max(60).default('Unsubscribe'),
  // The survey page's own texts: built in for English and German (pages.ts); set them for any
  // other language, or its customers read them in English.
  /** Under the scale, by the button: nothing is saved until it is pressed (`{submit}`). */
  savedNotice: z.string().min(1).max(200).optional(),
  /** On a link already answered: `{score}` and `{date}` (the day of the answer). */
  answered: z.string().min(1).max(200).optional(),
  /** The label of the comment given with that answer. */
  yourComment: z.string().min(1).max(60).optional(),
  /** The heading of the form that changes the answer, while the link is open. */
  changeAnswer: z.string().min(1).max(60).optional(),
  /** Shown instead of that form once the answer can no longer be changed. */
  answerStands: z.string().min(1).max(300).optional(),
  /**
   * On the thank-you page of a low answer whose customer ticked the follow-up question: when to
   * expect contact (`{date}`, the follow-up deadline in the customer's zone) and from whom (`{owner}`).
   */
  contactExpected: z.string().min(1).max(300).optional(),
  /** On a happy answer's thank-you page, with a review destination: the invitation to review. */
  reviewInvitation: z.string().min(1).max(300).optional(),
  /** Its button's text (also the follow-up email's). */
  reviewButton: z.string().min(1).max(60).optional(),
  /** The review follow-up email's subject and text (`{brand}`); built in for English and German. */
  reviewEmailSubject: z.string().min(1).max(150).optional(),
  reviewEmailText: z.string().min(1).max(500).optional(),
  /** The questionnaire's texts, by question id: every question of the program, in every locale. */
  questions: z.record(z.string(), QuestionWording).optional(),
  /** Each section's heading and an optional line under it, by section id. */
  sections: z
    .record(
      z.string(),
      z.object({ title: z.string().min(1).max(150), intro: z.string().min(1).max(300).optional() }),
    )
    .optional(),
});
export type Wording = z.infer<typeof Wording>;

export const questionId = z
  .string()
  .refine((id) => !(id in Object.prototype), 'must not be a name JavaScript objects already have')
  .regex(
    QUESTION_ID,
    'must start with a lower-case letter, then letters, digits, "_" or "-" (at most 32)',
  );

const questionBase = {
  /** Stable: answers and rollups keep it, so rename a question by adding a new one. */
  id: questionId,
  /** Ask only customers whose headline score is in these groups (e.g. ["detractor"]). Default: all. */
  askIf: z
    .array(z.enum(ALL_SCORE_GROUPS as [ScoreGroup, ...ScoreGroup[]]))
    .min(1)
    .optional(),
  /** Must be answered before the form is accepted. Default: optional, as a one-tap answer stays. */
  required: z.boolean().default(false),
  /** The program's section it is asked in (a deep-dive's later page). Default: with the score. */
  section: questionId.optional(),
};
export const choiceOptions = z.array(questionId).min(2).max(15);

/**
 * A question after the headline score: one choice (a reason, a driver), several choices, a 1–5
 * rating, or a short text.
 */
export const Question = z.discriminatedUnion('type', [
  z.object({ ...questionBase, type: z.literal('choice'), options: choiceOptions }),
  z.object({
    ...questionBase,
    type: z.literal('choices'),
    options: choiceOptions,
    maxChoices: z.number().int().min(1).optional(),
  }),
  z.object({ ...questionBase, type: z.literal('rating') }),
  z.object({
    ...questionBase,
    type: z.literal('text'),
    maxLength: z.number().int().min(1).max(2000).default(500),
  }),
]);
export type Question = z.infer<typeof Question>;

export const FREQUENCIES = ['weekly', 'monthly', 'quarterly'] as const;
export const WEEKS_OF_MONTH = ['first', 'second', 'third', 'fourth', 'last'] as const;

/** When a tracking or periodic program runs: "monthly, the first Monday, 10:00". */
export const Schedule = z.object({
  frequency: z.enum(FREQUENCIES),
  /** The weekday it runs on. */
  day: z.enum(WEEKDAYS).default('mon'),
  /** Which of the month's such days (monthly; quarterly: in January, April, July, October). */
  week: z.enum(WEEKS_OF_MONTH).default('first'),
  time: clockTime.default('10:00'),
  /** Default: the config's `timeZone`. */
  timeZone: timeZone.optional(),
});

/** Who a tracking or periodic program may ask. */
export const Population = z.object({
  /** Customers of the directory seen (or imported) within this many days. */
  seenWithinDays: z.number().int().min(1).max(3650).default(90),
  /** Only these segments. Default: every segment (and customers without one). */
  segments: z
    .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a segment name'))
    .min(1)
    .optional(),
});

/** How many a tracking program asks: enough for a target margin, per stratum when stratified. */
export const Sample = z.object({
  /** The 95 % margin wanted, in the metric's points (NPS points, CSAT/CES percent). */
  targetMargin: z.number().positive().max(50),
  /** Draw and size each segment on its own, so each reaches the margin. */
  stratifyBy: z.enum(['segment']).optional(),
  /** The response rate assumed until a period has been measured (0–1). */
  expectedResponseRate: z.number().gt(0).max(1).default(0.25),
});
