import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addBusinessTime,
  businessDeadline,
  businessDurationProblem,
  businessMillis,
  type BusinessCalendar,
} from '../../lib/domain/business-hours.js';

const london: BusinessCalendar = {
  timeZone: 'Europe/London',
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  start: '09:00',
  end: '17:00',
};
const at = (iso: string) => new Date(iso);
const ALL_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

describe('deadlines in business hours', () => {
  it('counts a day as one working day, and weeks as the working days in them', () => {
    expect(businessMillis('P1D', london)).toBe(8 * 3600_000);
    expect(businessMillis('PT4H30M', london)).toBe(4.5 * 3600_000);
    expect(businessMillis('P1W', london)).toBe(5 * 8 * 3600_000);
    expect(businessDurationProblem('P1M')).toMatch(/weeks, days, hours and minutes/);
    expect(businessDurationProblem('P')).toBeDefined();
    expect(businessDurationProblem('PT')).toBeDefined();
    expect(businessDurationProblem('P1DT8H')).toBeUndefined();
  });

  it('puts a Friday-evening case on Monday evening, not on Saturday', () => {
    // Friday 20 November 2026, 18:00 in London (GMT): after hours.
    expect(businessDeadline(at('2026-11-20T18:00:00Z'), 'P1D', london).toISOString()).toBe(
      '2026-11-23T17:00:00.000Z',
    );
    // Friday 16:00 with two business hours: one on Friday, one on Monday morning.
    expect(businessDeadline(at('2026-11-20T16:00:00Z'), 'PT2H', london).toISOString()).toBe(
      '2026-11-23T10:00:00.000Z',
    );
    // Within a day: a Tuesday-morning case due three hours later.
    expect(businessDeadline(at('2026-11-17T09:30:00Z'), 'PT3H', london).toISOString()).toBe(
      '2026-11-17T12:30:00.000Z',
    );
  });

  it('keeps wall-clock hours across a clock change, both ways', () => {
    // Clocks go back on Sunday 25 October 2026: Friday 16:00 BST (15:00Z) + 2 h = Monday 10:00 GMT.
    expect(businessDeadline(at('2026-10-23T15:00:00Z'), 'PT2H', london).toISOString()).toBe(
      '2026-10-26T10:00:00.000Z',
    );
    // Clocks go forward on Sunday 29 March 2026: Friday 16:00 GMT + 2 h = Monday 10:00 BST (09:00Z).
    expect(businessDeadline(at('2026-03-27T16:00:00Z'), 'PT2H', london).toISOString()).toBe(
      '2026-03-30T09:00:00.000Z',
    );
    // A zone far from UTC: New York, Friday 16:00 EST + 2 h = Monday 10:00 EST.
    const newYork = { ...london, timeZone: 'America/New_York' };
    expect(businessDeadline(at('2026-11-20T21:00:00Z'), 'PT2H', newYork).toISOString()).toBe(
      '2026-11-23T15:00:00.000Z',
    );
  });

  it('opens at a time a clock change skips just after the gap, and at the first of a repeated one', () => {
    const night = {
      timeZone: 'America/New_York',
      days: [...ALL_DAYS],
      start: '02:30',
      end: '05:00',
    };
    // Sunday 8 March 2026: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist, so 03:30 EDT.
    expect(addBusinessTime(at('2026-03-08T05:00:00Z'), 30 * 60_000, night).toISOString()).toBe(
      '2026-03-08T08:00:00.000Z',
    );
    // Sunday 1 November 2026: 01:00–02:00 happens twice; 01:30 is the first one (EDT).
    const repeated = { ...night, start: '01:30', end: '03:00' };
    expect(addBusinessTime(at('2026-11-01T04:00:00Z'), 30 * 60_000, repeated).toISOString()).toBe(
      '2026-11-01T06:00:00.000Z',
    );
    // Berlin too: 02:30 on 29 March 2026 does not exist; the day opens at 03:30 CEST (01:30Z).
    const berlin = { ...night, timeZone: 'Europe/Berlin' };
    expect(addBusinessTime(at('2026-03-28T23:00:00Z'), 30 * 60_000, berlin).toISOString()).toBe(
      '2026-03-29T02:00:00.000Z',
    );
  });

  it('refuses a deadline longer than a quarter of working days', () => {
    expect(businessDurationProblem('P99W')).toMatch(/about 495 working days: .* at most 65/);
    expect(businessDurationProblem('P13W')).toBeUndefined();
  });

  it('skips holidays', () => {
    const withHolidays = { ...london, holidays: ['2026-12-25', '2026-12-28'] };
    // Thursday 24 December 17:30: Friday 25 and Monday 28 are off, so Tuesday 29 at 17:00.
    expect(businessDeadline(at('2026-12-24T17:30:00Z'), 'P1D', withHolidays).toISOString()).toBe(
      '2026-12-29T17:00:00.000Z',
    );
  });

  it('refuses a calendar with no working hours, by name', () => {
    expect(() => addBusinessTime(at('2026-11-20T18:00:00Z'), 1, { ...london, days: [] })).toThrow(
      /no working hours/,
    );
  });

  it('never ends before it starts, lands inside opening hours, and grows with the duration', () => {
    const zones = ['Europe/London', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney'];
    fc.assert(
      fc.property(
        fc.date({
          min: at('2026-01-01T00:00:00Z'),
          max: at('2027-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 1, max: 40 * 60 }),
        fc.integer({ min: 0, max: 8 * 60 }),
        fc.constantFrom(...zones),
        (from, minutes, more, timeZone) => {
          const calendar = { ...london, timeZone };
          const first = addBusinessTime(from, minutes * 60_000, calendar);
          const later = addBusinessTime(from, (minutes + more) * 60_000, calendar);
          expect(first.getTime()).toBeGreaterThan(from.getTime());
          expect(later.getTime()).toBeGreaterThanOrEqual(first.getTime());
          const local = new Intl.DateTimeFormat('en-GB', {
            timeZone,
            hourCycle: 'h23',
            weekday: 'short',
            hour: '2-digit',
            minute: '2-digit',
          }).formatToParts(first);
          const part = (type: string) => local.find((p) => p.type === type)!.value;
          const clock = `${part('hour')}:${part('minute')}`;
          expect(['Sat', 'Sun']).not.toContain(part('weekday'));
          expect(clock >= '09:00' && clock <= '17:00').toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
