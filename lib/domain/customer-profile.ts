/**
 * The customer directory: the latest known profile of each customer seen in an interaction (or
 * imported), kept on the customer's contact item so that recording it rides along with the contact
 * claim a scheduled survey writes anyway. Written at most once a day per customer, or when a field
 * changes; the tracking and periodic programs draw their samples from it.
 */

/** What Afterword knows of a customer to survey them later. Absent fields are unknown. */
export interface CustomerProfile {
  email?: string | undefined;
  locale?: string | undefined;
  timeZone?: string | undefined;
  segment?: string | undefined;
  /** The UTC day of the latest interaction seen (or of the import), YYYY-MM-DD. */
  seenOn?: string | undefined;
}

export const PROFILE_FIELDS = ['email', 'locale', 'timeZone', 'segment', 'seenOn'] as const;

/**
 * How stale a last-seen day may grow before a sighting that writes nothing else refreshes it. A
 * customer who comes back every day would otherwise cost a write a day; a tracking population
 * ("seen in the last 90 days") needs the day roughly, not exactly. A sighting that is written
 * anyway (with a survey's contact claim, or a changed field) records the exact day.
 */
export const SEEN_REFRESH_DAYS = 7;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The profile after seeing `seen`: its known fields replace the stored ones, an unknown one keeps
 * what was stored, and the last-seen day only moves forward (a late or replayed event does not
 * make a customer look less recent). Undefined when no write is needed: nothing changed, or only
 * the last-seen day, by less than `refreshDays` (0: any newer day is written).
 */
export function updatedProfile(
  stored: CustomerProfile | undefined,
  seen: CustomerProfile,
  refreshDays = 0,
): CustomerProfile | undefined {
  const next: CustomerProfile = { ...stored };
  for (const field of PROFILE_FIELDS) {
    const value = seen[field];
    if (value === undefined) continue;
    if (field === 'seenOn' && next.seenOn !== undefined && value <= next.seenOn) continue;
    next[field] = value;
  }
  const changed = PROFILE_FIELDS.filter((field) => next[field] !== stored?.[field]);
  if (!changed.length) return undefined;
  if (changed.length === 1 && changed[0] === 'seenOn' && stored?.seenOn) {
    const days = (Date.parse(next.seenOn!) - Date.parse(stored.seenOn)) / DAY_MS;
    if (days < refreshDays) return undefined;
  }
  return next;
}
