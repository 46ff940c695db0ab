import { describe, expect, it } from 'vitest';
import {
  contactRuleBreached,
  EMPTY_CONTACT_STATE,
  isSampled,
  nextSendTime,
  withClaim,
  type ContactState,
} from '../../lib/domain/contact-rules.js';

const window = { start: '09:00', end: '20:00' };
const london = 'Europe/London';

describe('sampling', () => {
  it('decides the same way for the same interaction, every time', () => {
    for (let i = 0; i < 50; i++) {
      expect(isSampled(`call-${i}`, 'support-call', 0.5)).toBe(
        isSampled(`call-${i}`, 'support-call', 0.5),
      );
    }
  });

  it('samples close to the configured share', () => {
    const n = 20_000;
    let sampled = 0;
    for (let i = 0; i < n; i++) if (isSampled(`interaction-${i}`, 'chat-closed', 0.3)) sampled++;
    expect(sampled / n).toBeGreaterThan(0.28);
    expect(sampled / n).toBeLessThan(0.32);
  });

  it('takes everyone at 1 and no one at 0', () => {
    expect(isSampled('x', 't', 1)).toBe(true);
    expect(isSampled('x', 't', 0)).toBe(false);
  });
});

describe('send window', () => {
  const at = (iso: string) => nextSendTime(new Date(iso), window, london).toISOString();

  it('leaves a time inside the window alone', () => {
    expect(at('2026-11-23T12:00:00Z')).toBe('2026-11-23T12:00:00.000Z');
  });

  it('waits for the opening when too early, and for the next morning when too late', () => {
    expect(at('2026-11-23T06:30:00Z')).toBe('2026-11-23T09:00:00.000Z');
    expect(at('2026-11-23T21:15:00Z')).toBe('2026-11-24T09:00:00.000Z');
    expect(at('2026-11-23T20:00:00Z')).toBe('2026-11-24T09:00:00.000Z'); // the end is exclusive
  });

  it('opens at 09:00 local time on the day the clocks change', () => {
    expect(at('2026-03-29T03:00:00Z')).toBe('2026-03-29T08:00:00.000Z'); // 09:00 BST
    expect(at('2026-10-25T05:00:00Z')).toBe('2026-10-25T09:00:00.000Z'); // 09:00 GMT
  });

  it("uses the customer's zone", () => {
    expect(
      nextSendTime(new Date('2026-11-23T12:00:00Z'), window, 'America/New_York').toISOString(),
    ).toBe('2026-11-23T14:00:00.000Z');
  });

  it('handles a window across midnight', () => {
    const night = { start: '20:00', end: '08:00' };
    expect(nextSendTime(new Date('2026-11-23T23:00:00Z'), night, london).toISOString()).toBe(
      '2026-11-23T23:00:00.000Z',
    );
    expect(nextSendTime(new Date('2026-11-23T07:00:00Z'), night, london).toISOString()).toBe(
      '2026-11-23T07:00:00.000Z',
    );
    expect(nextSendTime(new Date('2026-11-23T12:00:00Z'), night, london).toISOString()).toBe(
      '2026-11-23T20:00:00.000Z',
    );
  });
});

describe('contact rules', () => {
  const rules = {
    globalCoolDown: 'P30D',
    programCoolDown: 'P60D',
    cap: { max: 2, period: 'P180D' },
  };
  const claimed = (state: ContactState, touchpoint: string, iso: string) =>
    withClaim(
      state,
      { touchpoint, at: new Date(iso), interactionId: `${touchpoint}@${iso}` },
      rules.cap.period,
    );

  it('lets a first survey through', () => {
    expect(
      contactRuleBreached(
        EMPTY_CONTACT_STATE,
        'support-call',
        new Date('2026-01-01T00:00:00Z'),
        rules,
      ),
    ).toBeUndefined();
  });

  it('holds every program to the global cool-down, both ways in time', () => {
    const state = claimed(EMPTY_CONTACT_STATE, 'support-call', '2026-01-10T00:00:00Z');
    expect(contactRuleBreached(state, 'chat-closed', new Date('2026-02-01T00:00:00Z'), rules)).toBe(
      'cool-down',
    );
    expect(contactRuleBreached(state, 'chat-closed', new Date('2026-01-01T00:00:00Z'), rules)).toBe(
      'cool-down',
    );
    expect(
      contactRuleBreached(state, 'chat-closed', new Date('2026-02-10T00:00:00Z'), rules),
    ).toBeUndefined();
  });

  it('applies the program cool-down only to the same program', () => {
    const state = claimed(EMPTY_CONTACT_STATE, 'support-call', '2026-01-01T00:00:00Z');
    expect(
      contactRuleBreached(state, 'support-call', new Date('2026-02-15T00:00:00Z'), rules),
    ).toBe('cool-down');
    expect(
      contactRuleBreached(state, 'chat-closed', new Date('2026-02-15T00:00:00Z'), rules),
    ).toBeUndefined();
  });

  it('caps the surveys in a rolling period, and forgets claims older than it', () => {
    let state = claimed(EMPTY_CONTACT_STATE, 'a', '2026-01-01T00:00:00Z');
    state = claimed(state, 'b', '2026-03-01T00:00:00Z');
    expect(contactRuleBreached(state, 'c', new Date('2026-05-01T00:00:00Z'), rules)).toBe('cap');
    expect(
      contactRuleBreached(state, 'c', new Date('2026-07-15T00:00:00Z'), rules),
    ).toBeUndefined();
    const later = claimed(state, 'c', '2026-07-20T00:00:00Z');
    expect(later.recent).toEqual(['2026-03-01T00:00:00.000Z', '2026-07-20T00:00:00.000Z']);
    expect(later.version).toBe(3);
  });
});
