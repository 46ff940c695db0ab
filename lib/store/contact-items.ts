/**
 * The contact item's shape: its keys (current and first), its shard in the directory, and how a
 * contact state and profile are written to and read from it.
 */
import { createHash } from 'node:crypto';
import type { ContactState } from '../domain/contact-rules.js';
import { PROFILE_FIELDS, type CustomerProfile } from '../domain/customer-profile.js';
import { KEY, TTL_ATTRIBUTE } from './table.js';

/** Partitions the contact items are spread over. */
export const CONTACT_SHARDS = 16;

export function contactShardOf(customerId: string): number {
  return createHash('sha256').update(customerId).digest()[0]! % CONTACT_SHARDS;
}

export function contactKey(customerId: string) {
  return { [KEY.pk]: `CONTACTS#${contactShardOf(customerId)}`, [KEY.sk]: customerId };
}

/** The first key shape, read for customers not yet moved. */
export function legacyContactKey(customerId: string) {
  return { [KEY.pk]: `CUST#${customerId}`, [KEY.sk]: 'CONTACT' };
}

/** One customer of the directory, as a sample is drawn from it. */
export interface DirectoryEntry extends CustomerProfile {
  customerId: string;
  optedOutAt?: string | undefined;
  /** An opted-out customer's address, as its keyed hash. */
  addressRef?: string | undefined;
}

export function profileOf(item: Record<string, unknown>): CustomerProfile | undefined {
  const profile: CustomerProfile = {};
  for (const field of PROFILE_FIELDS) {
    if (typeof item[field] === 'string') profile[field] = item[field];
  }
  return Object.keys(profile).length ? profile : undefined;
}

export function stateOf(item: Record<string, unknown>, stored: 'legacy' | 'current'): ContactState {
  return {
    version: Number(item.version ?? 0),
    lastInvitedAt: item.lastInvitedAt as string | undefined,
    lastInteractionId: item.lastInteractionId as string | undefined,
    programLast: (item.programLast as Record<string, string> | undefined) ?? {},
    recent: (item.recent as string[] | undefined) ?? [],
    optedOutAt: item.optedOutAt as string | undefined,
    reviewAskedAt: item.reviewAskedAt as string | undefined,
    addressRef: item.addressRef as string | undefined,
    profile: profileOf(item),
    stored,
  };
}

/**
 * When an item with a profile expires: `retentionDays` after the customer was last seen, as
 * invitations do after their decision (epoch seconds, DynamoDB's TTL).
 */
export function expiryOf(seenOn: string, retentionDays: number): number {
  return Math.floor(Date.parse(seenOn) / 1000) + retentionDays * 86_400;
}

/**
 * The stored item of a state (undefined attributes are left out). An opted-out customer's item
 * keeps no profile. Any other item with a last-seen day expires `retentionDays` after it.
 */
export function itemOf(customerId: string, state: ContactState, retentionDays: number) {
  const item: Record<string, unknown> = {
    ...contactKey(customerId),
    version: state.version,
    programLast: state.programLast,
    recent: state.recent,
  };
  const profile = state.optedOutAt ? { seenOn: state.profile?.seenOn } : state.profile;
  for (const [name, value] of Object.entries({
    lastInvitedAt: state.lastInvitedAt,
    lastInteractionId: state.lastInteractionId,
    optedOutAt: state.optedOutAt,
    reviewAskedAt: state.reviewAskedAt,
    addressRef: state.addressRef,
    ...profile,
  })) {
    if (value !== undefined) item[name] = value;
  }
  // An opt-out moved from the first key shape predates the keyed-hash opt-outs: its item is the
  // only record of it, so it does not expire.
  if (!state.optedOutAt && profile?.seenOn) {
    item[TTL_ATTRIBUTE] = expiryOf(profile.seenOn, retentionDays);
  }
  return item;
}
