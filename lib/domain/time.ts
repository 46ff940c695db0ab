/** Time-zone and calendar-day helpers; days are cut in a named IANA zone, so clock changes are honoured. */
import { DateTime } from 'luxon';

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** The UTC instants [start, end) of a calendar day in a zone: 23, 24 or 25 hours long. */
export function dayBounds(day: string, zone: string): { start: Date; end: Date } {
  const start = DateTime.fromISO(day, { zone });
  if (!DAY_PATTERN.test(day) || !start.isValid) {
    throw new RangeError(`invalid day "${day}": expected YYYY-MM-DD`);
  }
  return { start: start.toJSDate(), end: start.plus({ days: 1 }).toJSDate() };
}

/** The calendar day (YYYY-MM-DD) an instant falls on in a zone. */
export function dayOf(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISODate() as string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The UTC dates (YYYY-MM-DD) that an interval [start, end) touches (UTC days are all 24 hours). */
export function utcDatesBetween(start: Date, end: Date): string[] {
  const dates: string[] = [];
  for (
    let cursor = Math.floor(start.getTime() / DAY_MS) * DAY_MS;
    cursor < end.getTime();
    cursor += DAY_MS
  ) {
    dates.push(new Date(cursor).toISOString().slice(0, 10));
  }
  return dates;
}

/** A calendar day moved by `days` (plain UTC arithmetic: reports call it thousands of times). */
export function addDays(day: string, days: number): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, date + days)).toISOString().slice(0, 10);
}

/** The months (YYYY-MM) from one instant or day to another, both included. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let [year, month] = from.slice(0, 7).split('-').map(Number) as [number, number];
  const last = to.slice(0, 7);
  for (;;) {
    const current = `${year}-${String(month).padStart(2, '0')}`;
    if (current > last) return months;
    months.push(current);
    month += 1;
    if (month > 12) [year, month] = [year + 1, 1];
  }
}

/** A calendar day (YYYY-MM-DD) as a count of days since 1970-01-01, for arithmetic on days. */
export function dayNumber(day: string): number {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return Date.UTC(year, month - 1, date) / DAY_MS;
}

/** Luxon's ISO-8601 duration syntax, character for character (fractions, signs, `,` in seconds). */
const ISO_DURATION =
  /^-?P(?:(?:(-?\d{1,20}(?:\.\d{1,20})?)Y)?(?:(-?\d{1,20}(?:\.\d{1,20})?)M)?(?:(-?\d{1,20}(?:\.\d{1,20})?)W)?(?:(-?\d{1,20}(?:\.\d{1,20})?)D)?(?:T(?:(-?\d{1,20}(?:\.\d{1,20})?)H)?(?:(-?\d{1,20}(?:\.\d{1,20})?)M)?(?:(-?\d{1,20})(?:[.,](-?\d{1,20}))?S)?)?)$/;

/** Milliseconds per unit as luxon's casual conversion counts them: a month 30 days, a year 365. */
const UNIT_MS = [
  365 * DAY_MS, // years
  30 * DAY_MS, // months
  7 * DAY_MS, // weeks
  DAY_MS, // days
  60 * 60 * 1000, // hours
  60 * 1000, // minutes
  1000, // seconds
];

/**
 * An ISO-8601 duration in milliseconds, NaN when it is not one: exactly what luxon's
 * `Duration.fromISO(iso).toMillis()` gives (a unit test holds the two together), without loading
 * luxon, so the functions that only add durations (the answer function above all, whose bundle
 * is near its 250 KB limit) do not carry it.
 */
export function isoDurationMillis(iso: string): number {
  const match = ISO_DURATION.exec(iso);
  if (!match) return NaN;
  const negative = iso.startsWith('-');
  const secondsText = match[7];
  const fraction = match[8];
  const values = match.slice(1, 8).map((text) => {
    if (text === undefined || text === '') return undefined;
    const value = parseFloat(text);
    // As luxon: a leading "-" negates every non-zero unit (zeros add nothing either way).
    return value && negative ? -value : value;
  });
  let sum = 0;
  if (fraction !== undefined && fraction !== '') {
    const millis = Math.floor(parseFloat(`0.${fraction}`) * 1000);
    sum = (millis && negative) || secondsText?.startsWith('-') ? -millis : millis;
  }
  // Smallest unit first, as luxon adds them, so floating-point sums agree to the bit.
  for (let index = 6; index >= 0; index--) {
    const value = values[index];
    if (value) sum += value * UNIT_MS[index]!;
  }
  return sum;
}

export function addIsoDuration(instant: Date, isoDuration: string): Date {
  return new Date(instant.getTime() + isoDurationMillis(isoDuration));
}
