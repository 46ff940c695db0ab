import fc from 'fast-check';
import { DateTime, Duration } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addIsoDuration,
  dayBounds,
  dayOf,
  isoDurationMillis,
  utcDatesBetween,
} from '../../lib/domain/time.js';

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

describe('ISO-8601 durations without luxon', () => {
  const unit = (letter: string) =>
    fc.option(
      fc
        .tuple(
          fc.boolean(),
          fc.nat({ max: 400 }),
          fc.option(fc.stringMatching(/^\d{1,4}$/), { nil: undefined }),
        )
        .map(([minus, whole, fraction]) =>
          fraction === undefined
            ? `${minus ? '-' : ''}${whole}${letter}`
            : `${minus ? '-' : ''}${whole}.${fraction}${letter}`,
        ),
      { nil: '' },
    );
  const seconds = fc.option(
    fc
      .tuple(
        fc.constantFrom('', '-'),
        fc.nat({ max: 100_000 }),
        fc.option(fc.tuple(fc.constantFrom('.', ','), fc.stringMatching(/^-?\d{1,5}$/)), {
          nil: undefined,
        }),
      )
      .map(([sign, whole, fraction]) => `${sign}${whole}${fraction ? fraction.join('') : ''}S`),
    { nil: '' },
  );
  const duration = fc
    .tuple(
      fc.constantFrom('', '-'),
      unit('Y'),
      unit('M'),
      unit('W'),
      unit('D'),
      fc.boolean(),
      unit('H'),
      unit('M'),
      seconds,
    )
    .map(
      ([sign, y, mo, w, d, t, h, mi, s]) => `${sign}P${y}${mo}${w}${d}${t ? `T${h}${mi}${s}` : ''}`,
    );

  it("gives luxon's milliseconds for every duration luxon reads, and NaN for what it refuses", () => {
    const agree = (text: string) => {
      expect(Object.is(isoDurationMillis(text), Duration.fromISO(text).toMillis()), text).toBe(
        true,
      );
    };
    fc.assert(fc.property(duration, agree), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ maxLength: 20 }), agree), { numRuns: 1000 });
    for (const text of [
      'P',
      'PT',
      'P1M',
      'P1Y',
      'PT1.5S',
      'PT1,5S',
      '-P1D',
      'PT-0S',
      'P1DT',
      'pt1h',
      ' P1D',
    ]) {
      agree(text);
    }
  });

  it('lists the same UTC dates as counting calendar days with luxon', () => {
    const instant = fc.integer({ min: 0, max: 4_000_000_000_000 });
    fc.assert(
      fc.property(instant, fc.nat({ max: 10 * 86_400_000 }), (start, length) => {
        const expected: string[] = [];
        let cursor = DateTime.fromMillis(start, { zone: 'utc' }).startOf('day');
        while (cursor.toMillis() < start + length) {
          expected.push(cursor.toISODate()!);
          cursor = cursor.plus({ days: 1 });
        }
        expect(utcDatesBetween(new Date(start), new Date(start + length))).toEqual(expected);
      }),
    );
  });

  it('counts a month as 30 days and a year as 365, as the config always has', () => {
    expect(isoDurationMillis('P1M')).toBe(30 * 86_400_000);
    expect(isoDurationMillis('P1Y')).toBe(365 * 86_400_000);
    expect(addIsoDuration(new Date('2026-11-23T10:00:00Z'), 'PT4H').toISOString()).toBe(
      '2026-11-23T14:00:00.000Z',
    );
    expect(isoDurationMillis('two hours')).toBeNaN();
  });
});
