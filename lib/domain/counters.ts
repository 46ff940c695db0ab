/**
 * What one invitation contributes to the rollup's counters (issue 19: rollups fed by the table's
 * stream, not by re-reading every invitation each night). A change of an invitation adds
 * `contribution(new) − contribution(old)` to the counters, so every change (a send, a bounce after
 * a delivery, an answer raised, a cancellation) is counted exactly once, whatever the order of
 * states it went through, and the counters of a day always equal the sum of its invitations'
 * contributions: what the nightly recompute from the day indexes counts.
 *
 * The cells are the rollup's (rollup.ts): day × touchpoint × channel × segment × journey × journey
 * step. The funnel counts on the day of the survey's planned send (or of the decision, when
 * skipped), the score and the questionnaire on the day of the answer, both cut in the rollup's
 * time zone. Counter names are flat (`sent`, `skipped:cap`, `score:9`, `q:reason:option:price:
 * detractor`, `valueUnhappy`): one DynamoDB `ADD` each. Question and option ids are tokens (no `:`).
 */
import { emptyRollupRow, FUNNEL_COUNTS, NONE, type RollupRow } from '../contracts/report.js';
import type { Metric } from './metric.js';
import { scoreGroupOf } from './questionnaire.js';
import { SMOKE_SEGMENT } from './smoke.js';
import { dayOf } from './time.js';
import { valueContribution, VALUE_COUNTS, type ValueCount, type ValueIssue } from './value.js';
import { reviewContribution, REVIEW_COUNTS, type ReviewCount } from './review.js';

/** The attributes of an invitation image the counters read (index keys included). */
export interface CountedInvitation {
  /**
   * Counted from its first state: set on every invitation decided since the counters exist, and
   * by `afterword migrate-storage` on older ones (that change adds its state as it is then). An
   * image without it contributes nothing, so a survey decided before the counters existed never
   * subtracts a state that was never added.
   */
  inCounters?: boolean | undefined;
  status: string;
  reason?: string | undefined;
  touchpoint: string;
  channel: string;
  segment?: string | undefined;
  journeyId?: string | undefined;
  journeyStep?: string | undefined;
  metric?: Metric | undefined;
  sendAt?: string | undefined;
  decidedAt: string;
  sentAt?: string | undefined;
  deliveredAt?: string | undefined;
  bouncedAt?: string | undefined;
  complainedAt?: string | undefined;
  answeredAt?: string | undefined;
  score?: number | undefined;
  /** The questionnaire's counted answers (option ids by question id), when answered. */
  counted?: Record<string, string[]> | undefined;
  /** What the interaction was worth (value.ts), or why that is not known. */
  value?: number | undefined;
  valueIssue?: ValueIssue | undefined;
  /** The answer's review invitation (review.ts), and whether the customer followed it. */
  reviewOffered?: boolean | undefined;
  reviewClickedAt?: string | undefined;
}

/** A cell: the rollup row's key. */
export interface CounterCell {
  day: string;
  touchpoint: string;
  channel: string;
  segment: string;
  journeyId: string;
  journeyStep: string;
}

/** What a change adds to one cell: counters by name, and the metric the cell is scored in. */
export interface CellDelta {
  cell: CounterCell;
  metric?: Metric | undefined;
  counters: Record<string, number>;
}

/** Counter names. `open:<UTC hour of the send>` counts sent surveys waiting for an answer. */
export const COUNTER = {
  skipped: (reason: string) => `skipped:${reason}`,
  score: (score: number) => `score:${score}`,
  questionAnswered: (questionId: string, group: string) => `q:${questionId}:answered:${group}`,
  option: (questionId: string, option: string, group: string) =>
    `q:${questionId}:option:${option}:${group}`,
  open: (sentAt: string) => `open:${sentAt.slice(0, 13)}`,
} as const;

/** The cell key as one string (for grouping): JSON keeps any character a dimension may hold. */
export function cellKeyOf(cell: CounterCell): string {
  return JSON.stringify([
    cell.day,
    cell.touchpoint,
    cell.channel,
    cell.segment,
    cell.journeyId,
    cell.journeyStep,
  ]);
}

/** A row's cell dimensions (an absent one as NONE): the counters' and the recompute's cells. */
export function cellDimensionsOf(row: {
  touchpoint: string;
  channel: string;
  segment?: string | undefined;
  journeyId?: string | undefined;
  journeyStep?: string | undefined;
}): Omit<CounterCell, 'day'> {
  return {
    touchpoint: row.touchpoint,
    channel: row.channel,
    segment: row.segment ?? NONE,
    journeyId: row.journeyId ?? NONE,
    journeyStep: row.journeyStep ?? NONE,
  };
}

/**
 * The counters an invitation in this state contributes, by cell. Mirrors `rollupDay` (rollup.ts)
 * line by line; a test holds the two to the same counts. Expiry is not counted here: it is derived
 * at the rollup's time from the `open:` counters (a survey is expired once its link has closed).
 */
export function contributionOf(invitation: CountedInvitation, timeZone: string): CellDelta[] {
  if (!invitation.inCounters) return [];
  // `afterword smoke`'s surveys prove the stack works; they are nobody's experience.
  if (invitation.segment === SMOKE_SEGMENT) return [];
  const dims = cellDimensionsOf(invitation);
  const funnel: Record<string, number> = {};
  const add = (counters: Record<string, number>, name: string) =>
    (counters[name] = (counters[name] ?? 0) + 1);
  const { status } = invitation;
  if (status === 'skipped' || status === 'cancelled') {
    add(funnel, COUNTER.skipped(invitation.reason ?? 'unknown'));
  } else {
    add(funnel, 'invited');
    if (status === 'failed') add(funnel, 'failed');
    if (status === 'unknown') add(funnel, 'unknown');
    // What the shape before issue 19 wrote; today's surveys expire by their `open:` hour.
    if (status === 'expired') add(funnel, 'expiredWritten');
    if ((status === 'sent' || status === 'delivered') && invitation.sentAt) {
      add(funnel, COUNTER.open(invitation.sentAt));
    }
    // Only sent surveys count further down the funnel, so answered ≤ sent always holds.
    if (invitation.sentAt) {
      add(funnel, 'sent');
      if (invitation.deliveredAt) add(funnel, 'delivered');
      if (invitation.bouncedAt) add(funnel, 'bounced');
      if (invitation.complainedAt) add(funnel, 'complained');
      if (invitation.deliveredAt || invitation.bouncedAt || invitation.complainedAt) {
        add(funnel, 'outcomeKnown');
      }
      if (invitation.answeredAt) add(funnel, 'answered');
    }
  }
  const funnelAt = invitation.sendAt ?? invitation.decidedAt;
  const deltas: CellDelta[] = [
    {
      cell: { day: dayOf(new Date(funnelAt), timeZone), ...dims },
      metric: invitation.metric,
      counters: funnel,
    },
  ];
  if (invitation.answeredAt && invitation.score !== undefined) {
    const answers: Record<string, number> = {};
    add(answers, COUNTER.score(invitation.score));
    if (invitation.counted && invitation.metric) {
      const group = scoreGroupOf(invitation.metric, invitation.score);
      for (const [questionId, options] of Object.entries(invitation.counted)) {
        add(answers, COUNTER.questionAnswered(questionId, group));
        for (const option of options) add(answers, COUNTER.option(questionId, option, group));
      }
    }
    Object.assign(answers, answerExtras({ ...invitation, score: invitation.score }));
    deltas.push({
      cell: { day: dayOf(new Date(invitation.answeredAt), timeZone), ...dims },
      metric: invitation.metric,
      counters: answers,
    });
  }
  return deltas;
}

/**
 * What an answer adds to its cell beyond its score and questionnaire: its interaction's value (by
 * its own metric, value.ts) and its review invitation (review.ts). The counters and the recompute
 * (rollup.ts) both add this, so they count alike.
 */
export function answerExtras(answer: {
  metric?: Metric | undefined;
  score: number;
  value?: number | undefined;
  valueIssue?: ValueIssue | undefined;
  reviewOffered?: boolean | undefined;
  reviewClickedAt?: string | undefined;
}): Partial<Record<ValueCount | ReviewCount, number>> {
  return {
    ...(answer.metric ? valueContribution(answer, answer.metric) : {}),
    ...reviewContribution(answer),
  };
}

/**
 * What a change from `before` to `after` adds to the counters (either may be absent: a new item, a
 * deleted one): the contribution of the new state minus the old, by cell, zeros left out.
 */
export function changeOf(
  before: CountedInvitation | undefined,
  after: CountedInvitation | undefined,
  timeZone: string,
): CellDelta[] {
  const negated = (delta: CellDelta): CellDelta => ({
    ...delta,
    counters: Object.fromEntries(Object.entries(delta.counters).map(([k, v]) => [k, -v])),
  });
  // The old state first: a later delta's metric names the cell, so the new state's wins.
  return mergeDeltas([
    ...(before ? contributionOf(before, timeZone).map(negated) : []),
    ...(after ? contributionOf(after, timeZone) : []),
  ]);
}

/** Deltas summed per cell, zero counters and empty cells left out. */
export function mergeDeltas(deltas: readonly CellDelta[]): CellDelta[] {
  const byCell = new Map<string, CellDelta>();
  for (const delta of deltas) {
    const key = cellKeyOf(delta.cell);
    let entry = byCell.get(key);
    if (!entry) byCell.set(key, (entry = { cell: delta.cell, counters: {} }));
    entry.metric = delta.metric ?? entry.metric;
    for (const [name, value] of Object.entries(delta.counters)) {
      entry.counters[name] = (entry.counters[name] ?? 0) + value;
    }
  }
  const merged: CellDelta[] = [];
  for (const entry of byCell.values()) {
    for (const [name, value] of Object.entries(entry.counters)) {
      if (value === 0) delete entry.counters[name];
    }
    if (Object.keys(entry.counters).length) merged.push(entry);
  }
  return merged;
}

/**
 * A cell's counters as the rollup row they stand for, with `expired` judged at `asOf`: the surveys
 * written expired by the old shape, plus those still open whose send hour's links have all closed
 * (`linkExpiry` after the end of that hour): counted to the hour, never early.
 */
export function rollupRowOf(
  cell: CounterCell,
  metric: Metric | null,
  counters: Record<string, number>,
  expiryOf: (sentHour: string) => Date | undefined,
  asOf: Date,
): RollupRow {
  const row = emptyRollupRow({ ...cell, metric });
  // the written `expired` is the old shape's (`expiredWritten`); today's comes from `open:` hours
  const plain: readonly string[] = [
    ...FUNNEL_COUNTS.filter((name) => name !== 'expired'),
    ...VALUE_COUNTS,
    ...REVIEW_COUNTS,
  ];
  for (const [name, value] of Object.entries(counters)) {
    if (value === 0) continue;
    const [kind, ...rest] = name.split(':');
    if (plain.includes(name))
      row[name as Exclude<(typeof FUNNEL_COUNTS)[number], 'expired'> | ValueCount | ReviewCount] +=
        value;
    else if (name === 'expiredWritten') row.expired += value;
    else if (kind === 'skipped') row.skipped[rest.join(':')] = value;
    else if (kind === 'score') row.scores[Number(rest[0])] = value;
    else if (kind === 'open') {
      const closesAt = expiryOf(rest.join(':'));
      if (closesAt && closesAt <= asOf) row.expired += value;
    } else if (kind === 'q') {
      const [questionId, what, ...tail] = rest as [string, string, ...string[]];
      if (!Object.hasOwn(row.questions, questionId)) {
        row.questions[questionId] = { answered: {}, options: {} };
      }
      const question = row.questions[questionId]!;
      if (what === 'answered') question.answered[tail[0]!] = value;
      else {
        const [option, group] = tail as [string, string];
        if (!Object.hasOwn(question.options, option)) question.options[option] = {};
        question.options[option]![group] = value;
      }
    }
  }
  return row;
}
