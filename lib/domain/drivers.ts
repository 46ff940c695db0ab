/**
 * Drivers: what a questionnaire's answers say per score group, from the rollup's counts. Shares
 * are of the customers in the group who answered the question (a multiple-choice question's
 * shares may add up to more than 100 %), each with its Wilson interval and low-n mark; a rating's
 * mean comes with its t interval.
 */
import type { QuestionCounts, QuestionResult } from '../contracts/report.js';
import { LOW_N, meanInterval, wilson } from './scoring.js';
import type { Question } from '../config/schema.js';
import { optionsOf, RATING_MAX, RATING_MIN } from './questionnaire.js';

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
 * first, leaving out options nobody in the group chose.
 */
export function topOptions(result: QuestionResult, group: string, limit = 3) {
  return result.options
    .map((option) => ({ option: option.option, ...option.byGroup[group] }))
    .filter((option) => (option.count ?? 0) > 0)
    .sort((a, b) => b.count! - a.count! || a.option.localeCompare(b.option))
    .slice(0, limit);
}
