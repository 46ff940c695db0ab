/**
 * Deadlines in business hours: a follow-up due "within one business day" of a Friday-evening answer
 * is due on Monday evening, not on Saturday. Hours are wall-clock hours of the calendar's zone, so
 * a day with a clock change still has its full opening hours. Written with Intl alone (no luxon):
 * the answer function computes the deadline, and its bundle stays small.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface BusinessCalendar {
  /** IANA time zone the hours are in. */
  timeZone: string;
  /** Days the owner works. */
  days: readonly Weekday[];
  /** Opening and closing time of a working day, "HH:MM" (start before end). */
  start: string;
  end: string;
  /** Whole days off (YYYY-MM-DD in the calendar's zone). */
  holidays?: readonly string[];
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** The longest business duration the config takes, in working days (about a quarter). */
export const MAX_WORKING_DAYS = 65;
/** A deadline further out than this many calendar days is a configuration mistake, not a plan. */
const MAX_CALENDAR_DAYS = 3 * 366;

/** `P[n]W[n]DT[n]H[n]M`: the parts a business duration may have (no months or years: their length varies). */
const BUSINESS_DURATION =
  /^P(?!$)(?:(\d{1,4})W)?(?:(\d{1,4})D)?(?:T(?=\d)(?:(\d{1,5})H)?(?:(\d{1,6})M)?)?$/;

/** Why a duration cannot count business time, or undefined when it can. */
export function businessDurationProblem(iso: string): string | undefined {
  const match = BUSINESS_DURATION.exec(iso);
  if (!match) {
    return `"${iso}" is not a business duration: use weeks, days, hours and minutes, such as "PT8H", "P1D" or "P1DT4H"`;
  }
  // Counted as 8-hour days and 5-day weeks: anything past a quarter is no follow-up deadline.
  const [, weeks, days, hours, minutes] = match.map((part) => Number(part ?? 0));
  const workingDays = weeks! * 5 + days! + hours! / 8 + minutes! / 480;
  if (workingDays > MAX_WORKING_DAYS) {
    return `"${iso}" is about ${Math.round(workingDays)} working days: a follow-up deadline is at most ${MAX_WORKING_DAYS}`;
  }
  return undefined;
}

function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number) as [number, number];
  return hours * 60 + minutes;
}

/**
 * The business time a duration stands for, in milliseconds: hours and minutes as they are, a day
 * as one working day's hours, a week as the calendar's working days.
 */
export function businessMillis(iso: string, calendar: BusinessCalendar): number {
  const match = BUSINESS_DURATION.exec(iso);
  if (!match) throw new RangeError(businessDurationProblem(iso));
  const [, weeks, days, hours, minutes] = match.map((part) => Number(part ?? 0));
  const dayMs = (minutesOf(calendar.end) - minutesOf(calendar.start)) * MINUTE_MS;
  return (weeks! * calendar.days.length + days!) * dayMs + hours! * HOUR_MS + minutes! * MINUTE_MS;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock date and time of an instant in a zone. */
function wallClock(instant: number, zone: string) {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    formatters.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: parts.weekday!.toLowerCase().slice(0, 3) as Weekday,
  };
}

/** The zone's offset from UTC at an instant, in milliseconds. */
function offsetAt(instant: number, zone: string): number {
  const wall = wallClock(instant, zone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a wall-clock time of a day has in a zone. A time a clock change skips comes out
 * shifted by the gap (02:30 on a spring-forward night is 03:30); a time it repeats, at its first
 * occurrence. The offsets of the day before and after are the only two a day can have.
 */
function instantOf(year: number, month: number, day: number, minutes: number, zone: string) {
  const wall = Date.UTC(year, month - 1, day, 0, minutes);
  const candidates = [
    ...new Set([wall - offsetAt(wall - DAY_MS, zone), wall - offsetAt(wall + DAY_MS, zone)]),
  ].sort((a, b) => a - b);
  const shows = (instant: number) => {
    const clock = wallClock(instant, zone);
    return clock.day === day && clock.hour * 60 + clock.minute === minutes % (24 * 60);
  };
  return candidates.find(shows) ?? candidates[candidates.length - 1]!;
}

function isoDay(year: number, month: number, day: number): string {
  return new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10);
}

/** The instant `businessMs` of working time after `from`, counted in the calendar's opening hours. */
export function addBusinessTime(from: Date, businessMs: number, calendar: BusinessCalendar): Date {
  const { timeZone: zone } = calendar;
  const open = minutesOf(calendar.start);
  const close = minutesOf(calendar.end);
  const days = new Set<string>(calendar.days);
  const holidays = new Set(calendar.holidays ?? []);
  let cursor = from.getTime();
  let remaining = businessMs;
  const start = wallClock(cursor, zone);
  // Walk the calendar days from the one `from` falls on, in the zone.
  for (let offset = 0; offset <= MAX_CALENDAR_DAYS; offset++) {
    const date = new Date(Date.UTC(start.year, start.month - 1, start.day + offset));
    const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    const weekday = WEEKDAYS[(date.getUTCDay() + 6) % 7]!;
    if (!days.has(weekday) || holidays.has(isoDay(year, month, day))) continue;
    const opens = instantOf(year, month, day, open, zone);
    const closes = instantOf(year, month, day, close, zone);
    if (cursor >= closes) continue;
    cursor = Math.max(cursor, opens);
    if (remaining <= closes - cursor) return new Date(cursor + remaining);
    remaining -= closes - cursor;
    cursor = closes;
  }
  throw new RangeError(
    `no deadline within ${MAX_CALENDAR_DAYS} days: the calendar has no working hours (days ${calendar.days.join(', ') || 'none'})`,
  );
}

/** A deadline `iso` (a business duration) after `from`. */
export function businessDeadline(from: Date, iso: string, calendar: BusinessCalendar): Date {
  return addBusinessTime(from, businessMillis(iso, calendar), calendar);
}
