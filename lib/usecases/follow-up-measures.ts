/**
 * How the loop closes, per touchpoint or owner over a period of opened cases: how many, the share
 * handled within the deadline (first contact, or a close, by the due-by time), the median time to
 * first contact and to close, the root causes ranked; and the recovery rate: among customers whose
 * low answer was followed up (contacted or resolved), the share whose next answer to any program
 * within the window is above that program's follow-up threshold, beside the same share among
 * those not followed up. Each share has its Wilson interval and a low-n flag. The two groups
 * differ in more than the follow-up (who gets contacted is no random draw): the comparison
 * describes, it does not prove that the follow-up caused the recovery.
 */
import { DEFAULT_FOLLOW_UP_THRESHOLD } from '../contracts/survey-events.js';
import { CLOSED_STATUSES, metDeadline, type FollowUpCase } from '../contracts/follow-up-case.js';
import { LOW_N, wilson } from '../domain/scoring.js';
import { addDays, dayBounds } from '../domain/time.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { customerTimeline, TIMELINE_USES } from './timeline.js';

/** What follow-up-measures reaches of the runtime: its functions are built with these and no more. */
export const FOLLOW_UP_MEASURES_USES = [
  ...TIMELINE_USES,
  'cases',
  'config',
  'programFor',
] as const satisfies readonly RuntimePart[];
export type FollowUpMeasuresDeps = Needs<typeof FOLLOW_UP_MEASURES_USES>;

export const DEFAULT_RECOVERY_WINDOW_DAYS = 90;

export interface Share {
  /** In percent; null when n is 0. */
  share: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  interval: 'wilson';
  /** How many it is a share of. */
  n: number;
  successes: number;
  lowN: boolean;
}

export interface FollowUpMeasures {
  /** `touchpoint` or `owner`, and its value; `*` for everything the reader may see. */
  by: 'touchpoint' | 'owner';
  group: string;
  from: string;
  to: string;
  opened: number;
  withdrawn: number;
  open: number;
  overdue: number;
  /** Cases handled by their deadline, among those whose outcome is known (handled, or past due). */
  withinDeadline: Share;
  medianHoursToFirstContact: number | null;
  medianHoursToClose: number | null;
  rootCauses: { rootCause: string; count: number; share: number }[];
  /** Followed-up customers whose next answer was not low, and the same for the others. */
  recoveryFollowedUp: Share;
  recoveryNotFollowedUp: Share;
  /** Cases whose customer has not answered again (yet) within the window: left out of both. */
  recoveryUnknown: number;
  recoveryWindowDays: number;
}

function share(successes: number, n: number): Share {
  if (!n) {
    return { share: null, ciLow: null, ciHigh: null, interval: 'wilson', n, successes, lowN: true };
  }
  const { score, ciLow, ciHigh } = wilson(successes, n);
  return { share: score, ciLow, ciHigh, interval: 'wilson', n, successes, lowN: n < LOW_N };
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const HOUR_MS = 3_600_000;
const hoursBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / HOUR_MS;

/** Whether the owner reached the customer (or closed the case having acted). */
export function followedUp(followUp: FollowUpCase): boolean {
  return Boolean(followUp.firstContactAt) || followUp.status === 'resolved';
}

/** Reads at once when looking up customers' next answers. */
const TIMELINES_AT_ONCE = 8;

/**
 * Whether each case's customer answered again within the window, and whether above the threshold
 * of the program they answered: true (recovered), false (low again), undefined (no answer yet).
 */
async function nextAnswers(
  rt: FollowUpMeasuresDeps,
  cases: FollowUpCase[],
  windowDays: number,
): Promise<Map<string, boolean | undefined>> {
  const outcome = new Map<string, boolean | undefined>();
  const byCustomer = new Map<string, FollowUpCase[]>();
  for (const c of cases) byCustomer.set(c.customerId, [...(byCustomer.get(c.customerId) ?? []), c]);
  const customers = [...byCustomer.keys()];
  for (let i = 0; i < customers.length; i += TIMELINES_AT_ONCE) {
    await Promise.all(
      customers.slice(i, i + TIMELINES_AT_ONCE).map(async (customerId) => {
        const answers = (await customerTimeline(rt, customerId, { limit: 200 }))
          .filter((e) => e.kind === 'answered' && e.score !== undefined)
          .sort((a, b) => a.at.localeCompare(b.at));
        for (const c of byCustomer.get(customerId)!) {
          const until = new Date(Date.parse(c.openedAt) + windowDays * 86_400_000).toISOString();
          const next = answers.find(
            (a) => a.invitationId !== c.invitationId && a.at > c.openedAt && a.at <= until,
          );
          if (!next) {
            outcome.set(c.invitationId, undefined);
            continue;
          }
          const program = rt.programFor(next.touchpoint);
          const threshold = program
            ? (program.followUpThreshold ?? DEFAULT_FOLLOW_UP_THRESHOLD[program.metric])
            : c.threshold;
          outcome.set(c.invitationId, next.score! > threshold);
        }
      }),
    );
  }
  return outcome;
}

export async function followUpMeasures(
  rt: FollowUpMeasuresDeps,
  options: {
    from: string;
    to: string;
    by: 'touchpoint' | 'owner';
    now: Date;
    /** Touchpoints the reader may see (an owner on the dashboard); default all. */
    visible?: Set<string> | 'all';
    recoveryWindowDays?: number;
    /** Leave the recovery rate out (it reads each customer's timeline): the digest's summary. */
    recovery?: boolean;
    /** Cases already read, covering the period (the digest reads them once for all it shows). */
    cases?: FollowUpCase[];
  },
): Promise<FollowUpMeasures[]> {
  const zone = rt.config.timeZone;
  const start = dayBounds(options.from, zone).start.toISOString();
  const end = dayBounds(options.to, zone).end.toISOString();
  const windowDays = options.recoveryWindowDays ?? DEFAULT_RECOVERY_WINDOW_DAYS;
  const visible = options.visible ?? 'all';
  const read =
    options.cases ?? (await rt.cases.opened(addDays(options.from, -1), addDays(options.to, 1)));
  const cases = read.filter(
    (c) =>
      c.openedAt >= start && c.openedAt < end && (visible === 'all' || visible.has(c.touchpoint)),
  );
  const recovered =
    options.recovery === false
      ? new Map<string, boolean | undefined>()
      : await nextAnswers(
          rt,
          cases.filter((c) => c.status !== 'withdrawn'),
          windowDays,
        );
  const now = options.now.toISOString();
  const groups = new Map<string, FollowUpCase[]>([['*', cases]]);
  for (const c of cases) {
    const key = options.by === 'owner' ? c.owner.email : c.touchpoint;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups]
    .sort(([a], [b]) => (a === '*' ? 1 : b === '*' ? -1 : a.localeCompare(b)))
    .map(([group, members]) => {
      const live = members.filter((c) => c.status !== 'withdrawn');
      const deadline = live
        .map((c) => metDeadline(c) ?? (c.dueBy < now ? false : undefined))
        .filter((met): met is boolean => met !== undefined);
      const causes = new Map<string, number>();
      for (const c of live)
        if (c.rootCause) causes.set(c.rootCause, (causes.get(c.rootCause) ?? 0) + 1);
      const withCause = [...causes.values()].reduce((sum, count) => sum + count, 0);
      const outcomes = (filter: (c: FollowUpCase) => boolean) =>
        live
          .filter(filter)
          .map((c) => recovered.get(c.invitationId))
          .filter((value): value is boolean => value !== undefined);
      const followed = outcomes(followedUp);
      const others = outcomes((c) => !followedUp(c));
      return {
        by: options.by,
        group,
        from: options.from,
        to: options.to,
        opened: members.length,
        withdrawn: members.length - live.length,
        open: live.filter((c) => !CLOSED_STATUSES.includes(c.status)).length,
        overdue: live.filter((c) => c.status === 'open' && c.dueBy < now).length,
        withinDeadline: share(deadline.filter(Boolean).length, deadline.length),
        medianHoursToFirstContact: median(
          live
            .filter((c) => c.firstContactAt)
            .map((c) => hoursBetween(c.openedAt, c.firstContactAt!)),
        ),
        medianHoursToClose: median(
          live
            .filter((c) => c.closedAt && c.status !== 'withdrawn')
            .map((c) => hoursBetween(c.openedAt, c.closedAt!)),
        ),
        rootCauses: [...causes]
          .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
          .map(([rootCause, count]) => ({ rootCause, count, share: (count / withCause) * 100 })),
        recoveryFollowedUp: share(followed.filter(Boolean).length, followed.length),
        recoveryNotFollowedUp: share(others.filter(Boolean).length, others.length),
        recoveryUnknown: live.filter((c) => recovered.get(c.invitationId) === undefined).length,
        recoveryWindowDays: windowDays,
      };
    });
}
