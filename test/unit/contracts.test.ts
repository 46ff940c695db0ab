import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeIssues, InteractionCompletedV1 } from '../../lib/contracts/interaction.js';
import { InvalidEventError } from '../../lib/domain/errors.js';
import {
  SurveyAnsweredV1,
  SurveyFollowUpRequestedV1,
  SurveyFollowUpWithdrawnV1,
  SurveyFollowUpOverdueV1,
} from '../../lib/contracts/survey-events.js';
import { parseInteraction } from '../../lib/usecases/interaction-input.js';

const fixtures = join(import.meta.dirname, '../fixtures/events');

describe('Interaction Completed v1 contract', () => {
  const samples = readdirSync(fixtures).filter((name) => name.endsWith('.v1.json'));

  it('has versioned samples to keep parsing', () => {
    expect(samples.length).toBeGreaterThanOrEqual(3);
  });

  it.each(samples)('parses the sample %s', (name) => {
    const sample: unknown = JSON.parse(readFileSync(join(fixtures, name), 'utf8'));
    const parsed = InteractionCompletedV1.parse(sample);
    expect(parsed).toEqual(sample);
  });

  it('names the path of every problem in an invalid event', () => {
    const result = InteractionCompletedV1.safeParse({
      interactionId: '',
      occurredAt: 'yesterday',
      touchpoint: 'support call',
      customer: { email: 'a@b.c', timeZone: 'Mars/Olympus' },
      journey: { id: 'x' },
    });
    expect(result.success).toBe(false);
    const problems = describeIssues(result.error!, 'detail');
    const paths = problems.map((p) => p.split(':')[0]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'detail.interactionId',
        'detail.occurredAt',
        'detail.touchpoint',
        'detail.channel',
        'detail.customer.id',
        'detail.customer.timeZone',
        'detail.journey.step',
      ]),
    );
  });

  it('requires a time zone offset on occurredAt, so the instant is unambiguous', () => {
    const sample = JSON.parse(
      readFileSync(join(fixtures, 'support-call.v1.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(
      InteractionCompletedV1.safeParse({ ...sample, occurredAt: '2026-11-23T10:15:00' }).success,
    ).toBe(false);
  });

  it('rejects an event of another detail-type with a named error', () => {
    expect(() => parseInteraction('Order Placed', {})).toThrowError(InvalidEventError);
    expect(() => parseInteraction('Order Placed', {})).toThrowError(/detail-type/);
  });

  it('treats a malformed email as data for a decision, not a broken event', () => {
    const sample = JSON.parse(readFileSync(join(fixtures, 'support-call.v1.json'), 'utf8')) as {
      customer: Record<string, unknown>;
    };
    sample.customer.email = 'not-an-address';
    expect(InteractionCompletedV1.safeParse(sample).success).toBe(true);
  });
});

describe("Afterword's own events, version 1", () => {
  const outgoing = join(import.meta.dirname, '../fixtures/events-out');
  it.each([
    ['survey-answered.v1.json', SurveyAnsweredV1],
    ['survey-follow-up-requested.v1.json', SurveyFollowUpRequestedV1],
    ['survey-follow-up-withdrawn.v1.json', SurveyFollowUpWithdrawnV1],
    ['survey-follow-up-overdue.v1.json', SurveyFollowUpOverdueV1],
  ] as const)('parses the sample %s', (name, schema) => {
    const sample: unknown = JSON.parse(readFileSync(join(outgoing, name), 'utf8'));
    expect(schema.parse(sample)).toEqual(sample);
  });
});
