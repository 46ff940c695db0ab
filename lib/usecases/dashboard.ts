/**
 * What the CX dashboard shows, as data: the query (period, filters) parsed from its URL, each
 * touchpoint's rows with intervals and the funnel, the latest comments of unhappy customers, a
 * day's answers, and a customer's timeline, limited to the touchpoints the user's role shows them.
 * The pages that render it are lib/web/dashboard.ts.
 */
import { maySee } from '../auth/roles.js';
import { expectationsFor, EXPECTATIONS_USES } from './expectations.js';
import { monthOf } from '../domain/perception-gap.js';
import type { Program } from '../domain/program.js';
import { NONE, TOTAL, type ReportRow } from '../contracts/report.js';
import { DEFAULT_FOLLOW_UP_THRESHOLD } from '../contracts/survey-events.js';
import { labelsOf } from '../domain/drivers.js';
import type { QuestionAnswers } from '../domain/questionnaire.js';
import { addDays, dayBounds, dayOf } from '../domain/time.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { SMOKE_SEGMENT } from '../domain/smoke.js';
import type { InvitationDayRow } from '../store/invitation-items.js';
import { buildReport, type Dimension } from './report.js';
import { customerTimeline, type TimelineEntry } from './timeline.js';
import { FILTERS, type FilterName, type DashboardQuery, whereOf } from './dashboard-query.js';

/** What dashboard reaches of the runtime: its functions are built with these and no more. */
export const DASHBOARD_USES = [
  ...EXPECTATIONS_USES,
  'config',
  'dayIndex',
  'invitations',
  'programFor',
  'rollups',
] as const satisfies readonly RuntimePart[];
export type DashboardDeps = Needs<typeof DASHBOARD_USES>;

export interface UnhappyComment {
  answeredAt: string;
  touchpoint: string;
  channel: string;
  score: number;
  comment: string;
  customerId: string;
}

export interface DashboardData {
  query: DashboardQuery;
  /** Day rows per touchpoint. */
  rows: ReportRow[];
  /** Per touchpoint, its totals over the period (the funnel). */
  totals: ReportRow[];
  /** The values each filter can take in the period (what the user may see). */
  choices: Record<FilterName, string[]>;
  comments: UnhappyComment[];
  /** A touchpoint's program (its questions' texts), when it still has one. */
  programOf: (touchpoint: string) => Program | undefined;
  /** Each touchpoint's owner-expected score for the month of `to` (the perception gap). */
  expectations: Map<string, number>;
  /** The month an expectation may be recorded for from this view: `to`'s, while it lasts. */
  recordableMonth?: string;
}

/** Days of rollups read before the period, for the rolling 28 days and the week before. */
const LOOKBACK_DAYS = 27;

export async function dashboardData(
  rt: DashboardDeps,
  query: DashboardQuery,
  visible: Set<string> | 'all',
  now?: Date,
): Promise<DashboardData> {
  const { from, to, filters } = query;
  // The rows and the comments are independent reads: side by side.
  const [all, comments] = await Promise.all([
    rt.rollups.range(addDays(from, -LOOKBACK_DAYS), to),
    unhappyComments(rt, query, visible, 10),
  ]);
  const stored = all.filter((row) => maySee(visible, row.touchpoint));
  const choices = Object.fromEntries(
    (Object.entries(FILTERS) as [FilterName, Dimension][]).map(([name, dimension]) => [
      name,
      [...new Set(stored.filter((row) => row.day >= from).map((row) => row[dimension]))].sort(),
    ]),
  ) as Record<FilterName, string[]>;
  const where = Object.entries(whereOf(filters)) as [Dimension, string][];
  const reported = buildReport(
    stored.filter((row) => where.every(([dimension, value]) => row[dimension] === value)),
    ['touchpoint'],
    (touchpoint) => rt.programFor(touchpoint)?.target,
    { from, to, totals: true },
    (touchpoint) => rt.programFor(touchpoint)?.questions ?? [],
    (touchpoint) => rt.programFor(touchpoint)?.value?.currency,
  ).filter((row) => row.metric);
  const touchpoints = [...new Set(reported.map((row) => row.touchpoint))];
  return {
    programOf: (touchpoint) => rt.programFor(touchpoint),
    expectations: await expectationsFor(rt, monthOf(to), touchpoints),
    ...(now && monthOf(to) >= monthOf(dayOf(now, rt.config.timeZone))
      ? { recordableMonth: monthOf(to) }
      : {}),
    query,
    rows: reported.filter((row) => row.day !== TOTAL),
    totals: reported.filter((row) => row.day === TOTAL),
    choices,
    comments,
  };
}

function threshold(program: Program): number {
  return program.followUpThreshold ?? DEFAULT_FOLLOW_UP_THRESHOLD[program.metric];
}

/** Whether an answer row is in what the query and the user's role select. */
function selects(query: DashboardQuery, visible: Set<string> | 'all') {
  const where = Object.entries(whereOf(query.filters)) as [Dimension, string][];
  return (row: InvitationDayRow) =>
    // `afterword smoke`'s answers prove the stack works; they are nobody's to read.
    row.segment !== SMOKE_SEGMENT &&
    maySee(visible, row.touchpoint) &&
    where.every(([dimension, value]) => (row[dimension] ?? NONE) === value);
}

/** The latest comments of unhappy customers in the last 7 days of the period. */
async function unhappyComments(
  rt: DashboardDeps,
  query: DashboardQuery,
  visible: Set<string> | 'all',
  limit: number,
): Promise<UnhappyComment[]> {
  const from = addDays(query.to, -6) > query.from ? addDays(query.to, -6) : query.from;
  const selected = selects(query, visible);
  const { rows } = await rt.dayIndex.answersNewestFirst(
    dayBounds(from, rt.config.timeZone).start,
    dayBounds(query.to, rt.config.timeZone).end,
    (row) => {
      const program = rt.programFor(row.touchpoint);
      return (
        selected(row) && !!program && row.score !== undefined && row.score <= threshold(program)
      );
    },
    limit * 3,
  );
  const comments: UnhappyComment[] = [];
  for (const answer of await withComments(rt, rows)) {
    if (comments.length >= limit) break;
    if (answer.comment) comments.push({ ...answer, comment: answer.comment });
  }
  return comments;
}

export interface AnswerView {
  invitationId: string;
  answeredAt: string;
  touchpoint: string;
  channel: string;
  segment: string;
  journeyId: string;
  journeyStep: string;
  score: number;
  comment?: string;
  /** The questionnaire's answers as a CX lead reads them (texts included), in the program's order. */
  questionnaire: { question: string; answer: string }[];
  customerId: string;
}

/** A survey's questionnaire answers in words: option labels, a rating out of 5, the texts. */
export function questionnaireInWords(
  program: Program | undefined,
  answers: QuestionAnswers | undefined,
): { question: string; answer: string }[] {
  if (!program || !answers) return [];
  const labels = labelsOf(program);
  return program.questions
    .filter((question) => Object.hasOwn(answers, question.id))
    .map((question) => {
      const answer = answers[question.id]!;
      const words =
        question.type === 'rating'
          ? `${String(answer)} of 5`
          : question.type === 'text'
            ? String(answer)
            : (Array.isArray(answer) ? answer : [String(answer)])
                .map((option) => labels.option(question.id, option))
                .join(', ');
      return { question: labels.question(question.id), answer: words };
    });
}

/** The answers' comments and customers, read from the invitations (eventually consistent). */
async function withComments(rt: DashboardDeps, rows: InvitationDayRow[]): Promise<AnswerView[]> {
  const invitations = await Promise.all(
    rows.map((row) => rt.invitations.get(row.invitationId, { consistent: false })),
  );
  return invitations.flatMap((invitation) =>
    invitation?.answeredAt && invitation.score !== undefined
      ? [
          {
            invitationId: invitation.invitationId,
            answeredAt: invitation.answeredAt,
            touchpoint: invitation.touchpoint,
            channel: invitation.channel,
            segment: invitation.segment ?? NONE,
            journeyId: invitation.journeyId ?? NONE,
            journeyStep: invitation.journeyStep ?? NONE,
            score: invitation.score,
            ...(invitation.comment ? { comment: invitation.comment } : {}),
            questionnaire: questionnaireInWords(
              rt.programFor(invitation.touchpoint),
              invitation.answers,
            ),
            customerId: invitation.customerId,
          },
        ]
      : [],
  );
}

export const ANSWERS_PAGE_SIZE = 50;

/** A page of the answers a query selects, newest first, with their comments. */
export async function answersData(
  rt: DashboardDeps,
  query: DashboardQuery,
  visible: Set<string> | 'all',
  before?: string,
): Promise<{ answers: AnswerView[]; next?: string }> {
  const { rows, next } = await rt.dayIndex.answersNewestFirst(
    dayBounds(query.from, rt.config.timeZone).start,
    dayBounds(query.to, rt.config.timeZone).end,
    selects(query, visible),
    ANSWERS_PAGE_SIZE,
    before,
  );
  return { answers: await withComments(rt, rows), ...(next ? { next } : {}) };
}

export interface CustomerView {
  customerId: string;
  /** From the latest invitation: shown to signed-in users who may see this customer. */
  email?: string;
  name?: string;
  entries: TimelineEntry[];
}

/** A customer's timeline, limited to what the user may see; undefined when that is nothing. */
export async function customerData(
  rt: DashboardDeps,
  customerId: string,
  visible: Set<string> | 'all',
): Promise<CustomerView | undefined> {
  const [latest] = await rt.invitations.ofCustomer(customerId, 1);
  const entries = (await customerTimeline(rt, customerId, { limit: 50 })).filter((entry) =>
    maySee(visible, entry.touchpoint),
  );
  if (!entries.length || !latest) return undefined;
  return {
    customerId,
    ...(latest.email ? { email: latest.email } : {}),
    ...(latest.name ? { name: latest.name } : {}),
    entries,
  };
}
