/**
 * Programs as code: the one config file that says which touchpoints are surveyed, how, and by whom.
 * Validated at start-up, at synth and in tests; every problem is reported with its path.
 */
import * as z from 'zod';
import { contrastRatio, formatRatio, HEX_COLOUR, WCAG_AA_CONTRAST } from '../domain/colour.js';
import { isValidScore, Metric, SCALES } from '../domain/metric.js';
import { isoDurationMillis, isTimeZone } from '../domain/time.js';
import {
  businessDurationProblem,
  WEEKDAYS,
  type BusinessCalendar,
} from '../domain/business-hours.js';
import { allowedPlaceholders, isAllowedPlaceholder, placeholdersIn } from '../domain/wording.js';
import {
  longestEncoding,
  MAX_ENCODED_ANSWERS,
  QUESTION_ID,
  SCORE_GROUPS,
  ALL_SCORE_GROUPS,
  type ScoreGroup,
} from '../domain/questionnaire.js';

const isoDuration = z
  .string()
  .refine(
    (value) => isoDurationMillis(value) >= 0,
    'must be an ISO-8601 duration such as "PT1H" or "P14D"',
  );

const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day such as "09:00"');

const interactionLine = z.string().min(1).max(200);

/** Working time: weeks, days (one working day each), hours and minutes of the owner's calendar. */
const businessDuration = z.string().superRefine((value, ctx) => {
  const problem = businessDurationProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const timeZone = z.string().refine(isTimeZone, 'must be an IANA time zone such as "Europe/London"');

/** When an owner works: follow-up deadlines count these hours only. */
const BusinessHours = z
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
const Owner = z.object({
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
const QuestionWording = z.object({
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
const Wording = z.object({
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

const questionId = z
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
const choiceOptions = z.array(questionId).min(2).max(15);

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
const Schedule = z.object({
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
const Population = z.object({
  /** Customers of the directory seen (or imported) within this many days. */
  seenWithinDays: z.number().int().min(1).max(3650).default(90),
  /** Only these segments. Default: every segment (and customers without one). */
  segments: z
    .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a segment name'))
    .min(1)
    .optional(),
});

/** How many a tracking program asks: enough for a target margin, per stratum when stratified. */
const Sample = z.object({
  /** The 95 % margin wanted, in the metric's points (NPS points, CSAT/CES percent). */
  targetMargin: z.number().positive().max(50),
  /** Draw and size each segment on its own, so each reaches the margin. */
  stratifyBy: z.enum(['segment']).optional(),
  /** The response rate assumed until a period has been measured (0–1). */
  expectedResponseRate: z.number().gt(0).max(1).default(0.25),
});

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
export type ProgramSchedule = z.infer<typeof Schedule>;

/**
 * A questionnaire's problems, each with its path: unique question and option ids, groups of the
 * program's metric, texts for every question and option in every locale (and none for a question
 * the program does not ask), and answers that fit in the answers index's key.
 */
function questionnaireProblems(
  program: Pick<Program, 'touchpoint' | 'metric' | 'questions' | 'sections' | 'wording'>,
  report: (path: (string | number)[], message: string) => void,
) {
  const seen = new Map<string, number>();
  program.questions.forEach((question, index) => {
    const first = seen.get(question.id);
    if (first !== undefined) {
      report(
        ['questions', index, 'id'],
        `duplicate question id "${question.id}" (also questions.${first})`,
      );
    } else seen.set(question.id, index);
    const groups: readonly string[] = SCORE_GROUPS[program.metric];
    question.askIf?.forEach((group, at) => {
      if (!groups.includes(group)) {
        report(
          ['questions', index, 'askIf', at],
          `"${group}" is no score group of ${program.metric}: use ${groups.map((g) => `"${g}"`).join(', ')}`,
        );
      }
    });
    if (question.type === 'choice' || question.type === 'choices') {
      const options = new Set<string>();
      question.options.forEach((option, at) => {
        if (options.has(option)) {
          report(['questions', index, 'options', at], `duplicate option "${option}"`);
        }
        options.add(option);
      });
      if (question.type === 'choices' && (question.maxChoices ?? 0) > question.options.length) {
        report(
          ['questions', index, 'maxChoices'],
          `is ${question.maxChoices}, but the question has only ${question.options.length} options`,
        );
      }
    }
  });
  for (const [locale, wording] of Object.entries(program.wording)) {
    const texts = wording.questions ?? {};
    // Each id once: a duplicate is reported above, not again per locale.
    program.questions.forEach((question, index) => {
      if (seen.get(question.id) !== index) return;
      const text = Object.hasOwn(texts, question.id) ? texts[question.id] : undefined;
      const path = ['wording', locale, 'questions', question.id];
      if (!text) {
        report(path, `needs the text of question "${question.id}" in locale "${locale}"`);
        return;
      }
      if (question.type === 'choice' || question.type === 'choices') {
        for (const option of question.options) {
          if (!text.options || !Object.hasOwn(text.options, option)) {
            report(
              [...path, 'options', option],
              `needs the label of option "${option}" in locale "${locale}"`,
            );
          }
        }
        for (const option of Object.keys(text.options ?? {})) {
          if (!question.options.includes(option)) {
            report(
              [...path, 'options', option],
              `"${option}" is not an option of question "${question.id}"`,
            );
          }
        }
      }
      if (question.type === 'rating') {
        for (const end of ['lowLabel', 'highLabel'] as const) {
          if (!text[end])
            report([...path, end], `needs ${end} of rating "${question.id}" in locale "${locale}"`);
        }
      }
    });
    for (const id of Object.keys(texts)) {
      if (!program.questions.some((question) => question.id === id)) {
        report(
          ['wording', locale, 'questions', id],
          `"${id}" is not a question of program "${program.touchpoint}"`,
        );
      }
    }
  }
  const sectionIds = program.sections.map((section) => section.id);
  program.sections.forEach((section, index) => {
    if (sectionIds.indexOf(section.id) !== index) {
      report(['sections', index, 'id'], `duplicate section id "${section.id}"`);
    }
    if (!program.questions.some((question) => question.section === section.id)) {
      report(['sections', index], `section "${section.id}" has no questions`);
    }
  });
  program.questions.forEach((question, index) => {
    if (question.section !== undefined && !sectionIds.includes(question.section)) {
      report(
        ['questions', index, 'section'],
        `"${question.section}" is not one of the program's sections (${sectionIds.join(', ') || 'it has none'})`,
      );
    }
  });
  for (const [locale, wording] of Object.entries(program.wording)) {
    for (const id of sectionIds) {
      if (!wording.sections || !Object.hasOwn(wording.sections, id)) {
        report(
          ['wording', locale, 'sections', id],
          `needs the title of section "${id}" in locale "${locale}"`,
        );
      }
    }
  }
  const longest = longestEncoding(program.questions);
  if (program.questions.length && longest > MAX_ENCODED_ANSWERS) {
    report(
      ['questions'],
      `a full set of answers takes ${longest} characters of the answers index's key, over ${MAX_ENCODED_ANSWERS}: use shorter question or option ids, fewer options or a lower maxChoices`,
    );
  }
}

const colour = z
  .string()
  .regex(HEX_COLOUR, 'must be a colour written "#rrggbb", such as "#1d4ed8"');
const WHITE = '#ffffff';

/** The accent when the config names none: passes AA against white (6.7:1). */
export const DEFAULT_ACCENT = '#1d4ed8';

/** How the survey email and page look and who they come from; every key optional. */
const Branding = z
  .object({
    /** The From display name. Default: the brand. */
    senderName: z
      .string()
      .trim()
      .min(1)
      .max(64)
      // eslint-disable-next-line no-control-regex -- a line break here would start a new header
      .regex(/^[^\u0000-\u001f\u007f]*$/, 'must be one line of text'),
    /** A logo over the email and page (shown about 40 px high); https only. */
    logoUrl: z.string().refine((value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'https:' && !url.username && !url.password;
      } catch {
        return false;
      }
    }, 'must be an https:// URL (mail clients and browsers block or flag images over http)'),
    /** The colour of buttons, the chosen score and score borders. Default: blue #1d4ed8. */
    accentColor: colour,
    /** The colour of text on the accent (the button's label, the chosen score). Default: white. */
    accentTextColor: colour,
  })
  .partial()
  .superRefine((branding, ctx) => {
    const accent = branding.accentColor ?? DEFAULT_ACCENT;
    const text = branding.accentTextColor ?? WHITE;
    if (!HEX_COLOUR.test(accent) || !HEX_COLOUR.test(text)) return;
    const onWhite = contrastRatio(accent, WHITE);
    if (onWhite < WCAG_AA_CONTRAST) {
      ctx.addIssue({
        code: 'custom',
        path: ['accentColor'],
        message: `${accent} has a contrast of ${formatRatio(onWhite)} against white (the email and page behind scores and links); WCAG AA needs ${WCAG_AA_CONTRAST}:1, so pick a darker shade`,
      });
    }
    const withText = contrastRatio(accent, text);
    if (text.toLowerCase() !== WHITE && withText < WCAG_AA_CONTRAST) {
      ctx.addIssue({
        code: 'custom',
        path: ['accentTextColor'],
        message: `${text} has a contrast of ${formatRatio(withText)} against the accent ${accent} it is written on; WCAG AA needs ${WCAG_AA_CONTRAST}:1`,
      });
    }
  });

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
export type Branding = z.infer<typeof Branding>;

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
