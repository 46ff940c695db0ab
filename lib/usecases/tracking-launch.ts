/**
 * A tracking or periodic run: the plan drawn as a sample and scheduled as invitations, spread over
 * the program's spreadOver, through intake's own decision; a second run in the period adds nobody.
 */
import { asFunction } from '../adapters/function-scope.js';
import { log } from '../adapters/log.js';
import { isoDurationMillis } from '../domain/time.js';
import { drawWithoutReplacement } from '../domain/tracking.js';
import type { Needs, RuntimePart } from '../runtime.js';
import type { DirectoryEntry } from '../store/contact-items.js';
import { launchInvitation, INTAKE_USES } from './intake.js';
import { scheduledProgram, planRun, TRACKING_USES } from './tracking.js';

/** What tracking-launch reaches of the runtime: its functions are built with these and no more. */
export const TRACKING_LAUNCH_USES = [
  ...INTAKE_USES,
  ...TRACKING_USES,
  'suppressions',
] as const satisfies readonly RuntimePart[];
export type TrackingLaunchDeps = Needs<typeof TRACKING_LAUNCH_USES>;

export interface LaunchResult {
  touchpoint: string;
  period: string;
  planned: number;
  /** Drawn, and passed over as suppressed (the draw went on to the next). */
  drawn: number;
  suppressed: number;
  scheduled: number;
  /** Decided skipped, by reason (the contact rules). */
  skipped: Record<string, number>;
  /** Already invited in this period by an earlier launch. */
  alreadyInvited: number;
  /** Customers whose invitation could not be decided (logged by error name; a retry tries again). */
  failed: number;
}

/** Invitations decided at once by a run: steady, well within on-demand limits. */
export const LAUNCH_CONCURRENCY = 8;

/** A tracking or periodic program's run, as the launch function (the schedule) or `afterword launch`. */
export function launch(
  rt: TrackingLaunchDeps,
  touchpoint: string,
  now: Date,
): Promise<LaunchResult> {
  return asFunction('launch', () => launchRun(rt, touchpoint, now));
}

export async function launchRun(
  rt: TrackingLaunchDeps,
  touchpoint: string,
  now: Date,
): Promise<LaunchResult> {
  const program = scheduledProgram(rt, touchpoint);
  const planned = await planRun(rt, program, now);
  const result: LaunchResult = {
    touchpoint,
    period: planned.period,
    planned: planned.invitations,
    drawn: 0,
    suppressed: 0,
    scheduled: 0,
    skipped: {},
    alreadyInvited: 0,
    failed: 0,
  };
  const drawn: DirectoryEntry[] = [];
  for (const stratum of planned.strata) {
    // Ranked by a hash keyed with program, period and stratum: a retried run draws the same.
    const { drawn: picked, refused } = await drawWithoutReplacement(
      planned.eligible.get(stratum.stratum) ?? [],
      stratum.invitations,
      {
        seed: `${program.touchpoint}:${planned.period}:${stratum.stratum}`,
        idOf: (entry) => entry.customerId,
        accept: async (entry) => !(await rt.suppressions.reasonFor(entry.email!, entry.customerId)),
      },
    );
    drawn.push(...picked);
    result.suppressed += refused.length;
  }
  result.drawn = drawn.length;
  // Spread over the window: the dispatcher sends each when due, within the SES rate. A few at a
  // time (each customer's decision is independent); one customer's failure is counted and the
  // run goes on, and a retry finds the others already invited.
  const spacing = drawn.length ? isoDurationMillis(program.spreadOver) / drawn.length : 0;
  let next = 0;
  const inviteNext = async () => {
    while (next < drawn.length) {
      const i = next++;
      const customer = drawn[i]!;
      try {
        const outcome = await launchInvitation(
          rt,
          {
            interactionId: `${program.touchpoint}:${planned.period}:${customer.customerId}`,
            occurredAt: new Date(now.getTime() + Math.floor(i * spacing)).toISOString(),
            touchpoint: program.touchpoint,
            channel: 'email',
            customer: {
              id: customer.customerId,
              email: customer.email,
              ...(customer.locale ? { locale: customer.locale } : {}),
              ...(customer.timeZone ? { timeZone: customer.timeZone } : {}),
              ...(customer.segment ? { segment: customer.segment } : {}),
            },
          },
          now,
        );
        if (outcome.duplicate) result.alreadyInvited += 1;
        else if (outcome.status === 'scheduled') result.scheduled += 1;
        else {
          const reason = outcome.reason ?? 'unknown';
          result.skipped[reason] = (result.skipped[reason] ?? 0) + 1;
        }
      } catch (error) {
        result.failed += 1;
        log.error('launch.invitation-failed', { touchpoint, error: (error as Error).name });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(LAUNCH_CONCURRENCY, drawn.length) }, inviteNext));
  log.info('launch.done', {
    touchpoint,
    period: result.period,
    planned: result.planned,
    scheduled: result.scheduled,
    alreadyInvited: result.alreadyInvited,
    failed: result.failed,
  });
  return result;
}
