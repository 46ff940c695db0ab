/**
 * The smoke test's survey (`afterword smoke`): one interaction that a program will survey at once,
 * planned from the program's own rules rather than by bending them. It happened `delay` ago (so
 * its send time is now), to a customer in a time zone where now is inside the send window, with an
 * interaction id the program's sample takes. The customer is new each run (no cool-down) and in
 * the reserved segment SMOKE_SEGMENT, which the rollups and the tracking population leave out:
 * a smoke test is not a customer, and moves no number a CX lead reads.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Program } from './program.js';
import { isSampled, nextSendTime } from './contact-rules.js';
import { isoDurationMillis } from './time.js';

/** The segment of smoke-test customers: out of every rollup and every tracking sample. */
export const SMOKE_SEGMENT = 'afterword-smoke';

/** SES's mailbox simulator: accepts and delivers, counts against no reputation. */
export const SMOKE_ADDRESS = 'success@simulator.amazonses.com';

/** A smoke survey must be due within this of its put, or the plan says why it cannot be. */
const MAX_WAIT_FOR_SEND_MS = 60 * 1000;

export interface SmokePlan {
  detail: {
    interactionId: string;
    occurredAt: string;
    touchpoint: string;
    channel: string;
    customer: {
      id: string;
      email: string;
      name: string;
      locale: string;
      timeZone: string;
      segment: string;
    };
  };
  /** When intake will schedule it. */
  sendAt: Date;
}

export class SmokePlanError extends Error {
  override name = 'SmokePlanError';
}

/** The smoke survey for `program` at `now`, or SmokePlanError naming why the program cannot take one. */
export function planSmoke(
  program: Program,
  now: Date,
  options: { preferredTimeZone: string; channel?: string },
): SmokePlan {
  if (program.kind !== 'event') {
    throw new SmokePlanError(
      `${program.touchpoint} is a ${program.kind} program: the smoke test sends an event-based survey (give --touchpoint of an event program)`,
    );
  }
  if (program.sampling <= 0) {
    throw new SmokePlanError(`${program.touchpoint} samples nobody (sampling 0)`);
  }
  const delay = isoDurationMillis(program.delay);
  const lateness = isoDurationMillis(program.maxLateness);
  // Intake skips an event that arrives more than maxLateness after its interaction: the smoke's
  // happened as long ago as the delay allows, and a minute inside the limit.
  const ago = Math.max(0, Math.min(delay, lateness - 60_000));
  const occurredAt = new Date(now.getTime() - ago);
  const timeZone = zoneInWindow(program, now, options.preferredTimeZone);
  const sendAt = nextSendTime(new Date(occurredAt.getTime() + delay), program.sendWindow, timeZone);
  if (sendAt.getTime() - now.getTime() > MAX_WAIT_FOR_SEND_MS) {
    throw new SmokePlanError(
      `${program.touchpoint} would send the smoke survey only at ${sendAt.toISOString()} (its delay ${program.delay} is longer than its maxLateness ${program.maxLateness} allows an event to be late, or no time zone has its send window open now): give --touchpoint of another program`,
    );
  }
  let interactionId: string;
  do interactionId = `smoke-${randomUUID()}`;
  while (!isSampled(interactionId, program.touchpoint, program.sampling));
  return {
    detail: {
      interactionId,
      occurredAt: occurredAt.toISOString(),
      touchpoint: program.touchpoint,
      channel: options.channel ?? 'email',
      customer: {
        id: `afterword-smoke-${randomUUID()}`,
        email: SMOKE_ADDRESS,
        name: 'Afterword smoke test',
        locale: program.fallbackLocale,
        timeZone,
        segment: SMOKE_SEGMENT,
      },
    },
    sendAt,
  };
}

/**
 * A time zone where `now` is inside the program's send window with ten minutes to spare: the
 * preferred one when it is, otherwise the first IANA zone that is (some zone always is: the
 * offsets span 26 hours).
 */
function zoneInWindow(program: Program, now: Date, preferred: string): string {
  const window = program.sendWindow;
  if (!window) return preferred;
  const minutes = (clock: string) => {
    const [hour, minute] = clock.split(':').map(Number) as [number, number];
    return hour * 60 + minute;
  };
  const start = minutes(window.start);
  const end = minutes(window.end);
  const fits = (zone: string) => {
    const local = DateTime.fromJSDate(now, { zone });
    const at = local.hour * 60 + local.minute;
    return start <= end ? at >= start && at + 10 <= end : at >= start || at + 10 <= end;
  };
  if (fits(preferred)) return preferred;
  return Intl.supportedValuesOf('timeZone').find(fits) ?? preferred;
}
