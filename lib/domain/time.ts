/** Time-zone and calendar-day helpers; days are cut in a named IANA zone, so clock changes are honoured. */
import { DateTime, Duration } from 'luxon';

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

/** The UTC dates (YYYY-MM-DD) that an interval [start, end) touches. */
export function utcDatesBetween(start: Date, end: Date): string[] {
  const dates: string[] = [];
  let cursor = DateTime.fromJSDate(start, { zone: 'utc' }).startOf('day');
  while (cursor.toMillis() < end.getTime()) {
    dates.push(cursor.toISODate() as string);
    cursor = cursor.plus({ days: 1 });
  }
  return dates;
}

export function addDays(day: string, days: number): string {
  return DateTime.fromISO(day, { zone: 'utc' }).plus({ days }).toISODate() as string;
}

export function addIsoDuration(instant: Date, isoDuration: string): Date {
  return new Date(instant.getTime() + Duration.fromISO(isoDuration).toMillis());
}
