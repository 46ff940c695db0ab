/**
 * Questionnaires: the questions a program asks after its headline score, which score groups see
 * each, how a submitted form is validated (strictly: choices from the list only), and how the
 * non-free-text answers ride in the answers index so the rollup can count drivers without reading
 * a single extra item.
 */
import type { Question } from './program-parts.js';
import type { Metric } from './metric.js';

/** Question and option ids: stable tokens (answers and rollups keep them), safe in index keys. */
export const QUESTION_ID = /^[a-z][a-z0-9_-]{0,31}$/;

/**
 * The score groups of each metric (metrics.md): NPS detractors 0–6, passives 7–8, promoters
 * 9–10; CSAT satisfied 4–5 (top-2-box); CES easy 5–7 ("agree"). Drivers are counted per group,
 * and a question may be asked of some groups only ("why?" to detractors).
 */
export const SCORE_GROUPS = {
  nps: ['detractor', 'passive', 'promoter'],
  csat: ['not-satisfied', 'satisfied'],
  ces: ['not-easy', 'easy'],
} as const satisfies Record<Metric, readonly string[]>;

export type ScoreGroup = (typeof SCORE_GROUPS)[Metric][number];
export const ALL_SCORE_GROUPS: readonly ScoreGroup[] = [
  ...new Set(Object.values(SCORE_GROUPS).flat()),
];

export function scoreGroupOf(metric: Metric, score: number): ScoreGroup {
  if (metric === 'nps') return score <= 6 ? 'detractor' : score <= 8 ? 'passive' : 'promoter';
  if (metric === 'csat') return score >= 4 ? 'satisfied' : 'not-satisfied';
  return score >= 5 ? 'easy' : 'not-easy';
}

/** The group whose reasons a CX lead reads first: the unhappy one. */
export function unhappyGroupOf(metric: Metric): ScoreGroup {
  return SCORE_GROUPS[metric][0];
}

/** The happy group: promoters, satisfied, easy. */
export function happyGroupOf(metric: Metric): ScoreGroup {
  const groups = SCORE_GROUPS[metric];
  return groups[groups.length - 1]!;
}

/** The 1–5 rating question's scale. */
export const RATING_MIN = 1;
export const RATING_MAX = 5;

/** One customer's answers: an option id, option ids, a rating, or a text, by question id. */
export type QuestionAnswers = Record<string, string | string[] | number>;

export function isAskedOf(question: Pick<Question, 'askIf'>, group: ScoreGroup): boolean {
  return !question.askIf || question.askIf.includes(group);
}

/** The options a question is counted by: its choices, or the ratings 1–5. */
export function optionsOf(question: Question): string[] {
  if (question.type === 'rating') {
    return Array.from({ length: RATING_MAX - RATING_MIN + 1 }, (_, i) => String(RATING_MIN + i));
  }
  return question.type === 'text' ? [] : question.options;
}

/** The form field of a question: `q.<id>` (checkboxes repeat it). */
export function fieldOf(questionId: string): string {
  return `q.${questionId}`;
}

/**
 * Validates the questionnaire part of a submitted form against the questions asked of `group`:
 * choices must be listed options, ratings whole numbers 1–5, texts within their length; a field
 * naming no question of the program is refused. Answers to questions not asked of the chosen
 * score's group are dropped (their fields were hidden when the customer changed the score).
 * Returns the answers, or the problems, each naming its question.
 */
export function parseQuestionAnswers(
  questions: readonly Question[],
  group: ScoreGroup,
  form: Record<string, unknown>,
  labelOf: (questionId: string) => string = (id) => id,
): { answers: QuestionAnswers; problems: string[] } {
  const answers: QuestionAnswers = {};
  const problems: string[] = [];
  const byField = new Map(questions.map((question) => [fieldOf(question.id), question]));
  for (const field of Object.keys(form)) {
    if (field.startsWith('q.') && !byField.has(field)) {
      problems.push(`${field}: there is no such question in this survey`);
    }
  }
  for (const question of questions) {
    const raw = form[fieldOf(question.id)];
    const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map((value) =>
      typeof value === 'string' ? value.trim() : undefined,
    );
    const label = labelOf(question.id);
    if (values.some((value) => value === undefined)) {
      problems.push(`${label}: must be text`);
      continue;
    }
    const given = (values as string[]).filter((value) => value !== '');
    if (!isAskedOf(question, group)) continue;
    if (given.length === 0) {
      if (question.required) problems.push(`${label}: please answer this question`);
      continue;
    }
    const options = optionsOf(question);
    switch (question.type) {
      case 'choice':
      case 'rating': {
        if (given.length > 1 || !options.includes(given[0]!)) {
          problems.push(`${label}: choose one of the answers listed`);
          continue;
        }
        answers[question.id] = question.type === 'rating' ? Number(given[0]) : given[0]!;
        break;
      }
      case 'choices': {
        const unique = [...new Set(given)];
        if (unique.some((value) => !options.includes(value))) {
          problems.push(`${label}: choose from the answers listed`);
          continue;
        }
        if (question.maxChoices !== undefined && unique.length > question.maxChoices) {
          problems.push(`${label}: choose at most ${question.maxChoices}`);
          continue;
        }
        // In the program's order, so the same ticks always store (and compare) the same.
        answers[question.id] = options.filter((option) => unique.includes(option));
        break;
      }
      case 'text': {
        if (given.length > 1) {
          problems.push(`${label}: must be one text`);
          continue;
        }
        if (given[0]!.length > question.maxLength) {
          problems.push(`${label}: must be at most ${question.maxLength} characters`);
          continue;
        }
        answers[question.id] = given[0]!;
        break;
      }
    }
  }
  return { answers, problems };
}

/** Whether two answer sets are the same answers (a replayed form). */
export function sameAnswers(a: QuestionAnswers | undefined, b: QuestionAnswers | undefined) {
  return canonical(a ?? {}) === canonical(b ?? {});
}

function canonical(answers: QuestionAnswers): string {
  return JSON.stringify(
    Object.keys(answers)
      .sort()
      .map((id) => [id, answers[id]]),
  );
}

/**
 * The answers the rollup counts, as they ride in the answers index's sort key: `id=a,b` for
 * choices, `id=4` for a rating, the bare `id` for a text (that it was answered; the text itself
 * stays on the item), `;` between questions. Ids are tokens of [a-z0-9_-], so the separators
 * cannot occur in them. Why in the key: DynamoDB cannot change a deployed index's projection, and
 * this costs no extra write or read (see table.ts).
 */
export function encodeCountedAnswers(
  questions: readonly Question[],
  answers: QuestionAnswers,
): string {
  const parts: string[] = [];
  for (const question of questions) {
    // Own keys only: an id such as "constructor" must not find Object's prototype.
    if (!Object.hasOwn(answers, question.id)) continue;
    const answer = answers[question.id]!;
    if (question.type === 'text') parts.push(question.id);
    else parts.push(`${question.id}=${Array.isArray(answer) ? answer.join(',') : String(answer)}`);
  }
  return parts.join(';');
}

/** An option id or a rating, as stored: nothing else is counted (no `__proto__`). */
const OPTION_VALUE = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** What `encodeCountedAnswers` wrote: option ids (ratings as "1"–"5"), none for a text. */
export function decodeCountedAnswers(encoded: string | undefined): Record<string, string[]> {
  const answers: Record<string, string[]> = {};
  if (!encoded) return answers;
  for (const part of encoded.split(';')) {
    const [id, values] = part.split('=', 2) as [string, string | undefined];
    if (!QUESTION_ID.test(id)) continue;
    answers[id] = values ? values.split(',').filter((value) => OPTION_VALUE.test(value)) : [];
  }
  return answers;
}

/** The longest encoding a program's questions can produce (the index key has room for ~1 KB). */
export function longestEncoding(questions: readonly Question[]): number {
  const parts = questions.map((question) => {
    if (question.type === 'text') return question.id.length;
    const options = optionsOf(question);
    const values =
      question.type === 'choices'
        ? options
            .map((option) => option.length)
            .sort((a, b) => b - a)
            .slice(0, question.maxChoices ?? options.length)
            .reduce((sum, length) => sum + length + 1, -1)
        : Math.max(...options.map((option) => option.length));
    return question.id.length + 1 + values;
  });
  return parts.reduce((sum, length) => sum + length + 1, -1);
}

/** Room left in the answers index's sort key after the time, the id and a journey id. */
export const MAX_ENCODED_ANSWERS = 600;
