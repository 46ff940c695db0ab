/**
 * Tracking and periodic programs: plan a run (who may be asked, how many a target margin needs)
 * and launch it (draw, then invite).
 *
 * Primary course of a launch:
 * 1. The population: customers of the directory seen within the program's days (in its
 *    segments), with an address, not opted out.
 * 2. Per stratum (each segment when stratified, else everyone): a tracking program's invitations
 *    for its target margin, from the previous period's shares and response rate, or the worst case
 *    shares and the expected response rate when that period has fewer than 30 answers (sent
 *    surveys); a periodic program asks the whole stratum.
 * 3. Draw uniformly at random without replacement; a suppressed address is passed over (so the
 *    sample stays uniform over the customers who can be asked). The draw is seeded by the program
 *    and period, so a retried run (Scheduler and Lambda retry) draws the same customers again.
 * 4. Each one drawn becomes an invitation decided like an interaction's, its id naming the program,
 *    the period and the customer (a second launch in the same period invites nobody twice); the
 *    contact rules skip some (cool-down, cap), counted as skips. Their send times are spread over
 *    `spreadOver`, and the dispatcher keeps to the SES rate.
 */
import type { Program } from '../domain/program.js';
import { responseRate, type FunnelCounts } from '../domain/funnel.js';
import { addDays } from '../domain/time.js';
import { addHistograms, emptyHistogram, goodAndBad, LOW_N, summarize } from '../domain/scoring.js';
import {
  answersNeeded,
  invitationsNeeded,
  marginFor,
  nextRun,
  periodOf,
  previousPeriodDays,
  type Schedule,
} from '../domain/tracking.js';
import type { Needs, RuntimePart } from '../runtime.js';
import type { DirectoryEntry } from '../store/contact-items.js';
import { SMOKE_SEGMENT } from '../domain/smoke.js';

/** What tracking reaches of the runtime: its functions are built with these and no more. */
export const TRACKING_USES = [
  'config',
  'contacts',
  'programFor',
  'rollups',
] as const satisfies readonly RuntimePart[];
export type TrackingDeps = Needs<typeof TRACKING_USES>;

/** The stratum of customers without a segment. */
export const NO_SEGMENT = '-';
/** The one stratum of an unstratified program. */
export const EVERYONE = '*';

export interface StratumPlan {
  stratum: string;
  /** Customers who may be asked. */
  population: number;
  /**
   * What the previous period measured: its answers and sent surveys, the shares, and the score
   * with its 95 % interval, whose half-width is the margin achieved (beside the target).
   */
  previous: {
    from: string;
    to: string;
    answers: number;
    sent: number;
    good: number;
    bad: number;
    score: number | null;
    ciLow: number | null;
    ciHigh: number | null;
    achievedMargin: number | null;
  } | null;
  /** Shares and response rate the size is computed from, and where they come from. */
  shares: { good: number; bad: number } | null;
  sharesFrom: 'previous period' | 'worst case';
  responseRate: number;
  responseRateFrom: 'previous period' | 'expected';
  /** Answers for the target margin (tracking), unrounded; null for a periodic program. */
  answersNeeded: number | null;
  /** Invitations planned: for the margin, at most the population. */
  invitations: number;
  /** The margin the planned invitations should give at that response rate, in points. */
  expectedMargin: number | null;
  /** When the population is too small for the target: the best margin it can give. */
  warning?: string;
}

export interface Plan {
  touchpoint: string;
  kind: 'tracking' | 'periodic';
  metric: Program['metric'];
  /** The period a run now belongs to, and the next scheduled run. */
  period: string;
  nextRunAt: string;
  targetMargin: number | null;
  seenWithinDays: number;
  /** Directory customers left out: opted out, or outside the days or segments. */
  excluded: { optedOut: number; notRecent: number; otherSegment: number; noAddress: number };
  strata: StratumPlan[];
  population: number;
  invitations: number;
}

export class NotScheduledProgramError extends Error {
  override name = 'NotScheduledProgramError';
}

/** The program's schedule with its zone resolved. */
export function scheduleOf(rt: TrackingDeps, program: Program): Schedule {
  if (!program.schedule) {
    throw new NotScheduledProgramError(
      `${program.touchpoint} is an ${program.kind} program: only tracking and periodic programs are planned and launched`,
    );
  }
  return { ...program.schedule, timeZone: program.schedule.timeZone ?? rt.config.timeZone };
}

/** A program by touchpoint that runs on a schedule, or a clear error naming the ones that do. */
export function scheduledProgram(rt: TrackingDeps, touchpoint: string): Program {
  const program = rt.programFor(touchpoint);
  const scheduled = rt.config.programs.filter((p) => p.kind !== 'event').map((p) => p.touchpoint);
  if (!program || program.kind === 'event') {
    throw new NotScheduledProgramError(
      `"${touchpoint}" is no tracking or periodic program${scheduled.length ? ` (those are: ${scheduled.join(', ')})` : ' (the config has none)'}`,
    );
  }
  return program;
}

async function population(rt: TrackingDeps, program: Program, now: Date) {
  const { seenWithinDays, segments } = program.population ?? { seenWithinDays: 90 };
  const since = addDays(now.toISOString().slice(0, 10), -seenWithinDays);
  const eligible: DirectoryEntry[] = [];
  const excluded = { optedOut: 0, notRecent: 0, otherSegment: 0, noAddress: 0 };
  await rt.contacts.forEachInDirectory((page) => {
    for (const entry of page) {
      // `afterword smoke`'s customers are not customers: no run draws them, nor counts them.
      if (entry.segment === SMOKE_SEGMENT) continue;
      // An opt-out first: an opted-out customer's address is not kept.
      if (entry.optedOutAt) excluded.optedOut += 1;
      else if (!entry.email) excluded.noAddress += 1;
      else if (!entry.seenOn || entry.seenOn <= since) excluded.notRecent += 1;
      else if (segments && !segments.includes(entry.segment ?? '')) excluded.otherSegment += 1;
      else eligible.push(entry);
    }
  });
  return { eligible, excluded };
}

function stratumOf(program: Program, entry: DirectoryEntry): string {
  return program.sample?.stratifyBy === 'segment' ? (entry.segment ?? NO_SEGMENT) : EVERYONE;
}

/** What the previous period measured, per stratum: answers and their shares, sent surveys. */
/** What the previous period measured, per stratum: the funnel and the score histogram. */
async function previousPeriod(rt: TrackingDeps, program: Program, schedule: Schedule, now: Date) {
  const { from, to } = previousPeriodDays(schedule, now);
  const measured = new Map<string, FunnelCounts & { scores: number[] }>();
  for (const row of await rt.rollups.range(from, to)) {
    if (row.touchpoint !== program.touchpoint) continue;
    const stratum = program.sample?.stratifyBy === 'segment' ? row.segment : EVERYONE;
    const sum = measured.get(stratum) ?? {
      sent: 0,
      delivered: 0,
      answered: 0,
      outcomeKnown: 0,
      scores: emptyHistogram(),
    };
    sum.sent += row.sent;
    sum.delivered += row.delivered;
    sum.answered += row.answered;
    sum.outcomeKnown += row.outcomeKnown;
    sum.scores = addHistograms(sum.scores, row.scores);
    measured.set(stratum, sum);
  }
  return { from, to, measured };
}

function previousResults(
  program: Program,
  before: { sent: number; scores: number[] },
  from: string,
  to: string,
): NonNullable<StratumPlan['previous']> {
  const { n, good, bad } = goodAndBad(program.metric, before.scores);
  const summary = summarize(program.metric, before.scores);
  return {
    from,
    to,
    answers: n,
    sent: before.sent,
    good,
    bad,
    score: summary.score,
    ciLow: summary.ciLow,
    ciHigh: summary.ciHigh,
    achievedMargin: summary.margin,
  };
}

export async function planRun(
  rt: TrackingDeps,
  program: Program,
  now: Date,
  { runAt = now }: { runAt?: Date } = {},
): Promise<Plan & { eligible: Map<string, DirectoryEntry[]> }> {
  const schedule = scheduleOf(rt, program);
  const { eligible, excluded } = await population(rt, program, now);
  const byStratum = new Map<string, DirectoryEntry[]>();
  for (const entry of eligible) {
    const stratum = stratumOf(program, entry);
    const members = byStratum.get(stratum);
    if (members) members.push(entry);
    else byStratum.set(stratum, [entry]);
  }
  const { from, to, measured: previous } = await previousPeriod(rt, program, schedule, runAt);
  const strata: StratumPlan[] = [...byStratum.keys()].sort().map((stratum) => {
    const size = byStratum.get(stratum)!.length;
    const before = previous.get(stratum);
    const counted = before && goodAndBad(program.metric, before.scores);
    const shares =
      counted && counted.n >= LOW_N
        ? { good: counted.good / counted.n, bad: counted.bad / counted.n }
        : null;
    const rate = before && before.sent >= LOW_N ? responseRate(before).rate : null;
    const plannedRate = rate && rate > 0 ? rate : (program.sample?.expectedResponseRate ?? 0.25);
    const base = {
      stratum,
      population: size,
      previous: before ? previousResults(program, before, from, to) : null,
      shares,
      sharesFrom: shares ? ('previous period' as const) : ('worst case' as const),
      responseRate: plannedRate,
      responseRateFrom: rate && rate > 0 ? ('previous period' as const) : ('expected' as const),
    };
    // Beyond the scale's reach a margin says nothing more (too few to measure): capped there.
    const expected = (invitations: number) =>
      Math.min(
        program.metric === 'nps' ? 100 : 50,
        marginFor(program.metric, invitations * plannedRate, shares ?? undefined),
      );
    if (program.kind === 'periodic' || !program.sample) {
      return { ...base, answersNeeded: null, invitations: size, expectedMargin: expected(size) };
    }
    const needed = answersNeeded(program.metric, program.sample.targetMargin, shares ?? undefined);
    const wanted = invitationsNeeded(needed, plannedRate);
    const invitations = Math.min(wanted, size);
    const expectedMargin = expected(invitations);
    return {
      ...base,
      answersNeeded: needed,
      invitations,
      expectedMargin,
      ...(wanted > size
        ? {
            warning: `${stratum === EVERYONE ? 'the population' : `segment ${stratum}`} has ${size} customers, ${wanted} invitations are needed for ±${program.sample.targetMargin}: asking all of them gives about ±${expectedMargin.toFixed(1)}`,
          }
        : {}),
    };
  });
  return {
    touchpoint: program.touchpoint,
    kind: program.kind as 'tracking' | 'periodic',
    metric: program.metric,
    period: periodOf(schedule, runAt),
    nextRunAt: nextRun(schedule, now).toISOString(),
    targetMargin: program.sample?.targetMargin ?? null,
    seenWithinDays: program.population?.seenWithinDays ?? 90,
    excluded,
    strata,
    population: eligible.length,
    invitations: strata.reduce((sum, s) => sum + s.invitations, 0),
    eligible: byStratum,
  };
}

/**
 * `afterword plan`: the next run's plan, without sending: its period, sized from the period
 * before it, over the directory as it is now.
 */
export async function plan(rt: TrackingDeps, touchpoint: string, now: Date): Promise<Plan> {
  const program = scheduledProgram(rt, touchpoint);
  const planned: Partial<Awaited<ReturnType<typeof planRun>>> = await planRun(rt, program, now, {
    runAt: nextRun(scheduleOf(rt, program), now),
  });
  // The customers themselves stay here: the plan says how many, not who.
  delete planned.eligible;
  return planned as Plan;
}
