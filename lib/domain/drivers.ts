/**
 * Drivers: what a questionnaire's answers say per score group, from the rollup's counts. Shares
 * are of the customers in the group who answered the question (a multiple-choice question's
 * shares may add up to more than 100 %), each with its Wilson interval and low-n mark; a rating's
 * mean comes with its t interval.
 */
import type { QuestionCounts, QuestionResult, ReportRow } from '../contracts/report.js';
import { formatRate } from './display.js';
import { LOW_N, meanInterval, wilson } from './scoring.js';
import type { Program } from './program.js';
import type { Question } from './program-parts.js';
import {
  optionsOf,
  RATING_MAX,
  RATING_MIN,
  unhappyGroupOf,
  type ScoreGroup,
} from './questionnaire.js';

function share(count: number, n: number) {
  if (n === 0) return { count, share: null, ciLow: null, ciHigh: null, lowN: true };
  const { score, ciLow, ciHigh } = wilson(count, n);
  return { count, share: score, ciLow, ciHigh, lowN: n < LOW_N };
}

function sum(record: Record<string, number>): number {
  return Object.values(record).reduce((total, value) => total + value, 0);
}

/** Adds `from` into `into` (both question → counts): report groupings and totals. */
export function addQuestionCounts(
  into: Record<string, QuestionCounts>,
  from: Record<string, QuestionCounts>,
): void {
  for (const [questionId, counts] of Object.entries(from)) {
    if (!Object.hasOwn(into, questionId)) into[questionId] = { answered: {}, options: {} };
    const total = into[questionId]!;
    addInto(total.answered, counts.answered);
    for (const [option, byGroup] of Object.entries(counts.options)) {
      if (!Object.hasOwn(total.options, option)) total.options[option] = {};
      addInto(total.options[option]!, byGroup);
    }
  }
}

function addInto(into: Record<string, number>, from: Record<string, number>) {
  for (const [key, value] of Object.entries(from)) {
    into[key] = (Object.hasOwn(into, key) ? into[key]! : 0) + value;
  }
}

export function copyQuestionCounts(
  questions: Record<string, QuestionCounts>,
): Record<string, QuestionCounts> {
  const copy: Record<string, QuestionCounts> = {};
  addQuestionCounts(copy, questions);
  return copy;
}

/**
 * The results of every question with answers in `counts`, in the program's order (questions it no
 * longer asks after them, by id). `questionOf` gives a question's definition, when known.
 */
export function questionResults(
  counts: Record<string, QuestionCounts>,
  questionOf: (questionId: string) => Question | undefined,
  order: readonly string[] = [],
): QuestionResult[] {
  const ids = Object.keys(counts).sort((a, b) => {
    const [i, j] = [order.indexOf(a), order.indexOf(b)];
    if (i !== j) return (i < 0 ? Infinity : i) - (j < 0 ? Infinity : j);
    return a.localeCompare(b);
  });
  return ids.map((questionId) => {
    const { answered, options } = counts[questionId]!;
    const question = questionOf(questionId);
    const n = sum(answered);
    const listed = question ? optionsOf(question) : [];
    const optionIds = [
      ...listed,
      ...Object.keys(options)
        .filter((o) => !listed.includes(o))
        .sort(),
    ];
    const result: QuestionResult = {
      questionId,
      type: question?.type ?? null,
      answered: n,
      answeredByGroup: { ...answered },
      options:
        question?.type === 'text'
          ? []
          : optionIds.map((option) => {
              const byGroup = Object.hasOwn(options, option) ? options[option]! : {};
              return {
                option,
                ...share(sum(byGroup), n),
                byGroup: Object.fromEntries(
                  Object.keys(answered).map((group) => [
                    group,
                    share(Object.hasOwn(byGroup, group) ? byGroup[group]! : 0, answered[group]!),
                  ]),
                ),
              };
            }),
      mean: null,
      meanCiLow: null,
      meanCiHigh: null,
    };
    if (question?.type === 'rating' && n > 0) {
      const histogram = Array.from({ length: RATING_MAX + 1 }, (_, rating) =>
        sum(options[String(rating)] ?? {}),
      );
      Object.assign(result, meanInterval(histogram, RATING_MIN, RATING_MAX, n));
    }
    return result;
  });
}

/**
 * The most chosen options of a choice question among one score group (e.g. detractors), most
 * first (ties in the program's order), leaving out options nobody in the group chose.
 */
export function topOptions(result: QuestionResult, group: string, limit = 3) {
  return (
    result.options
      .map((option) => ({ option: option.option, ...option.byGroup[group] }))
      .filter((option) => (option.count ?? 0) > 0)
      // Stable: equal counts keep the program's order of the options.
      .sort((a, b) => b.count! - a.count!)
      .slice(0, limit)
  );
}

/** A question's and its options' texts as CX leads read them: the program's fallback wording. */
export function labelsOf(program: Pick<Program, 'wording' | 'fallbackLocale'> | undefined) {
  const texts = program?.wording[program.fallbackLocale]?.questions ?? {};
  const of = (questionId: string) =>
    Object.hasOwn(texts, questionId) ? texts[questionId] : undefined;
  return {
    question: (questionId: string) => of(questionId)?.text ?? questionId,
    option: (questionId: string, option: string) => {
      const options = of(questionId)?.options ?? {};
      return Object.hasOwn(options, option) ? options[option]! : option;
    },
  };
}

/** The group a CX lead reads first, its name in plain words, and the reasons its members gave. */
export interface DriverSummary {
  questionId: string;
  question: string;
  group: ScoreGroup;
  groupName: string;
  /** Customers of the group who answered the question. */
  n: number;
  top: {
    option: string;
    label: string;
    count: number;
    share: number;
    ciLow: number;
    ciHigh: number;
    lowN: boolean;
  }[];
}

const GROUP_NAMES: Record<ScoreGroup, string> = {
  detractor: 'detractors',
  passive: 'passives',
  promoter: 'promoters',
  'not-satisfied': 'unsatisfied customers',
  satisfied: 'satisfied customers',
  'not-easy': 'customers who did not find it easy',
  easy: 'customers who found it easy',
};

export function groupName(group: ScoreGroup): string {
  return GROUP_NAMES[group];
}

/**
 * "Top reasons among detractors": for each choice question of a report row that the unhappy group
 * answered, its most chosen options with counts, shares and intervals.
 */
export function unhappyDrivers(
  row: Pick<ReportRow, 'metric' | 'questions'>,
  program: Pick<Program, 'wording' | 'fallbackLocale'> | undefined,
  limit = 3,
): DriverSummary[] {
  if (!row.metric) return [];
  const group = unhappyGroupOf(row.metric);
  const labels = labelsOf(program);
  return row.questions
    .filter((result) => result.type === 'choice' || result.type === 'choices')
    .map((result) => ({
      questionId: result.questionId,
      question: labels.question(result.questionId),
      group,
      groupName: groupName(group),
      n: result.answeredByGroup[group] ?? 0,
      top: topOptions(result, group, limit).map((option) => ({
        option: option.option,
        label: labels.option(result.questionId, option.option),
        count: option.count!,
        share: option.share!,
        ciLow: option.ciLow!,
        ciHigh: option.ciHigh!,
        lowN: option.lowN!,
      })),
    }))
    .filter((summary) => summary.n > 0);
}

/** "The waiting time 6 (50 % [25, 75])": one reason with its count, share and 95 % interval. */
export function formatDriver(option: DriverSummary['top'][number]): string {
  return `${option.label} ${option.count} (${formatRate(option.share / 100)} [${option.ciLow.toFixed(0)}, ${option.ciHigh.toFixed(0)}])`;
}

/** One line per question: "support-call, “What disappointed you most?”, 12 detractors: …". */
export function formatDrivers(touchpoint: string, summary: DriverSummary): string {
  return `${touchpoint}, “${summary.question}”, ${summary.n} ${summary.groupName}${summary.n < LOW_N ? ' (low n)' : ''}: ${summary.top.map(formatDriver).join('; ')}`;
}
