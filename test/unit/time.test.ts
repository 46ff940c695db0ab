import { describe, expect, it } from 'vitest';
import { dayBounds, dayOf, utcDatesBetween } from '../../lib/domain/time.js';

const hours = ({ start, end }: { start: Date; end: Date }) =>
  (end.getTime() - start.getTime()) / 3_600_000;

describe('calendar days in a time zone', () => {
  it('cuts 23-hour and 25-hour days when the clocks change in London', () => {
    expect(hours(dayBounds('2026-03-29', 'Europe/London'))).toBe(23);
    expect(hours(dayBounds('2026-10-25', 'Europe/London'))).toBe(25);
    expect(hours(dayBounds('2026-11-23', 'Europe/London'))).toBe(24);
  });

  it('starts a London summer day at 23:00 UTC the evening before', () => {
    expect(dayBounds('2026-07-01', 'Europe/London').start.toISOString()).toBe(
      '2026-06-30T23:00:00.000Z',
    );
  });

  it('puts an instant on the local day, not the UTC one', () => {
    const instant = new Date('2026-11-23T23:30:00Z');
    expect(dayOf(instant, 'Europe/Berlin')).toBe('2026-11-24');
    expect(dayOf(instant, 'America/New_York')).toBe('2026-11-23');
  });

  it('lists the UTC dates a local day touches', () => {
    const { start, end } = dayBounds('2026-07-01', 'Europe/London');
    expect(utcDatesBetween(start, end)).toEqual(['2026-06-30', '2026-07-01']);
  });

  it('refuses a malformed day with the value in the message', () => {
    expect(() => dayBounds('23/11/2026', 'Europe/London')).toThrowError(/"23\/11\/2026"/);
  });
});
