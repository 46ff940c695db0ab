import { describe, expect, it } from 'vitest';
import { RULES } from '../../lib/contracts/rules.js';
import { matches } from '../../lib/local/pattern.js';

const event = {
  source: 'crm.calls',
  'detail-type': 'Interaction Completed',
  detail: {
    touchpoint: 'support-call',
    channel: 'phone',
    tags: ['vip', 'eu'],
    customer: { segment: 'smb' },
    value: 120,
  },
};

describe('local event pattern matching', () => {
  it('routes Interaction Completed from any source to intake, and nothing else', () => {
    const [rule] = RULES;
    expect(matches(rule!.pattern, event)).toBe(true);
    expect(matches(rule!.pattern, { ...event, source: 'shop' })).toBe(true);
    expect(matches(rule!.pattern, { ...event, 'detail-type': 'Survey Answered' })).toBe(false);
  });

  it.each([
    [{ detail: { touchpoint: ['support-call', 'chat-closed'] } }, true],
    [{ detail: { touchpoint: ['chat-closed'] } }, false],
    [{ detail: { customer: { segment: ['smb'] } } }, true],
    [{ detail: { tags: ['eu'] } }, true],
    [{ source: [{ prefix: 'crm.' }] }, true],
    [{ source: [{ suffix: '.calls' }] }, true],
    [{ detail: { channel: [{ 'anything-but': ['phone', 'chat'] }] } }, false],
    [{ detail: { channel: [{ 'anything-but': 'email' }] } }, true],
    [{ detail: { channel: [{ 'equals-ignore-case': 'PHONE' }] } }, true],
    [{ detail: { value: [{ numeric: ['>', 100, '<=', 120] }] } }, true],
    [{ detail: { value: [{ numeric: ['<', 100] }] } }, false],
    [{ detail: { journey: [{ exists: false }] } }, true],
    [{ detail: { journey: [{ exists: true }] } }, false],
    [{ detail: { missing: ['x'] } }, false],
  ])('pattern %j → %s', (pattern, expected) => {
    expect(matches(pattern, event)).toBe(expected);
  });

  it('refuses a pattern it does not understand instead of guessing', () => {
    expect(() => matches({ source: 'crm' }, event)).toThrowError(
      /invalid event pattern at "source"/,
    );
    expect(() => matches({ source: [{ wildcard: 'crm*' }] }, event)).toThrowError(/unsupported/);
  });
});
