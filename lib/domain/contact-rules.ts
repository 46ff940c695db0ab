/**
 * Ask, but never pester: sampling, send windows and contact rules as pure functions, so the
 * decisions are easy to test and the store only has to make them atomic.
 */
import { createHash } from 'node:crypto';
import { DateTime, Duration } from 'luxon';
import type { CustomerProfile } from './customer-profile.js';

/** What intake knows about contacting one customer; kept on one item, versioned for atomic claims. */
export interface ContactState {
  /** 0 while nothing is stored. */
  version: number;
  /** Interaction time of the last survey claimed for this customer, any program. */
  lastInvitedAt?: string;
  /** The interaction (its source and id) that made that claim: a retry of it finds its claim and goes on. */
  lastInteractionId?: string;
  /** Interaction time of the last survey claimed, per touchpoint. */
  programLast: Record<string, string>;
  /** Interaction times of recent surveys, for the rolling cap. */
  recent: string[];
  optedOutAt?: string;
  /** The keyed hash of the address an opt-out came from (written by the unsubscribe). */
  addressRef?: string;
  /** When the customer was last sent a review email (review.ts: at most one per period). */
  reviewAskedAt?: string;
  /** The customer's latest known profile: the customer directory (see customer-profile.ts). */
  profile?: CustomerProfile;
  /**
   * Where the state was read from: nothing stored yet, an item of the first key shape (before the
   * directory), or the current one. A write to the current key from the first two must create it.
   */
  stored?: 'none' | 'legacy' | 'current';
}

export const EMPTY_CONTACT_STATE: ContactState = {
  version: 0,
  programLast: {},
  recent: [],
  stored: 'none',
};

/**
 * Whether an interaction is in the sample: a hash of the interaction, not a coin toss, so a
 * redelivered event is decided the same way.
 */
export function isSampled(interactionId: string, touchpoint: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  const digest = createHash('sha256').update(`sample:${touchpoint}:${interactionId}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32 < rate;
}

/** The first moment at or after `due` that falls in the customer's local send window. */
export function nextSendTime(
  due: Date,
  window: { start: string; end: string } | undefined,
  zone: string,
): Date {
  if (!window) return due;
  const local = DateTime.fromJSDate(due, { zone });
  const at = (clock: string, day: DateTime) => {
    const [hour, minute] = clock.split(':').map(Number) as [number, number];
    return day.set({ hour, minute, second: 0, millisecond: 0 });
  };
  const opens = at(window.start, local);
  const closes = at(window.end, local);
  if (window.start < window.end) {
    if (local < opens) return opens.toJSDate();
    if (local >= closes) return at(window.start, local.plus({ days: 1 })).toJSDate();
    return due;
  }
  // A window across midnight (say 20:00–08:00) is open from `start` to the next day's `end`.
  if (local >= opens || local < closes) return due;
  return opens.toJSDate();
}

export interface ContactRules {
  globalCoolDown: string;
  programCoolDown?: string;
  cap: { max: number; period: string };
}

const millis = (iso: string) => Duration.fromISO(iso).toMillis();

/**
 * Why this customer may not be asked about an interaction at `at`, or undefined when they may.
 * Distances are absolute, so an older event arriving late is held to the same rules.
 */
export function contactRuleBreached(
  state: ContactState,
  touchpoint: string,
  at: Date,
  rules: ContactRules,
): 'cool-down' | 'cap' | undefined {
  const within = (previous: string | undefined, period: string | undefined) =>
    previous !== undefined &&
    period !== undefined &&
    Math.abs(at.getTime() - Date.parse(previous)) < millis(period);
  if (within(state.lastInvitedAt, rules.globalCoolDown)) return 'cool-down';
  if (within(state.programLast[touchpoint], rules.programCoolDown)) return 'cool-down';
  const inWindow = state.recent.filter((previous) => within(previous, rules.cap.period));
  if (inWindow.length >= rules.cap.max) return 'cap';
  return undefined;
}

/** The state after claiming a survey for an interaction at `at` (old cap entries dropped). */
export function withClaim(
  state: ContactState,
  claim: { touchpoint: string; at: Date; interactionId: string },
  capPeriod: string,
): ContactState {
  const at = claim.at.toISOString();
  const horizon = claim.at.getTime() - millis(capPeriod);
  return {
    ...state,
    version: state.version + 1,
    lastInvitedAt: at,
    lastInteractionId: claim.interactionId,
    programLast: { ...state.programLast, [claim.touchpoint]: at },
    recent: [...state.recent.filter((previous) => Date.parse(previous) > horizon), at].sort(),
  };
}
