/**
 * `afterword demo`: a few days of simulated interactions and answers through the real flows
 * (intake, dispatch through the SES emulator, answers through signed links), so reports have data.
 */
import type { InteractionCompleted } from '../contracts/interaction.js';
import { INTERACTION_COMPLETED } from '../contracts/interaction.js';
import { DEFAULT_FOLLOW_UP_THRESHOLD } from '../contracts/survey-events.js';
import type { Metric } from '../domain/metric.js';
import type { Runtime } from '../runtime.js';
import { submitAnswer } from '../usecases/answer.js';
import { dispatch } from '../usecases/dispatch.js';
import { intake } from '../usecases/intake.js';
import { invitationIdFor } from '../domain/ids.js';
import type { Question } from '../domain/program-parts.js';
import { fieldOf, isAskedOf, scoreGroupOf, type ScoreGroup } from '../domain/questionnaire.js';

/** The demo's interactions come from their own producer. */
const DEMO_SOURCE = 'afterword.demo';

/** Deterministic pseudo-random numbers (mulberry32), so a demo run can be reproduced with --seed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCORE_WEIGHTS: Record<Metric, number[]> = {
  // index = score; loosely realistic shapes
  nps: [2, 1, 1, 2, 2, 4, 6, 10, 14, 22, 20],
  csat: [0, 4, 5, 10, 35, 46],
  ces: [0, 3, 4, 6, 10, 25, 30, 22],
};

const CHANNELS: Record<string, string[]> = {
  'support-call': ['phone'],
  'order-delivered': ['web', 'app', 'store'],
  'chat-closed': ['chat'],
};
const SEGMENTS = ['smb', 'enterprise', 'consumer'];
const UNHAPPY = [
  'I waited far too long before anyone picked up.',
  'The parcel arrived late and the box was damaged.',
  'I had to explain my problem three times.',
  'Nobody told me what would happen next.',
];
const HAPPY = ['Quick and friendly, thank you!', 'Solved on the first try.', 'Easy, clear, done.'];
const LOCALES = ['en-GB', 'en-US', 'de-DE'];

export interface DemoResult {
  interactions: number;
  sent: number;
  answered: number;
  from: string;
  to: string;
}

export async function runDemo(
  rt: Runtime,
  options: {
    days: number;
    now: Date;
    seed?: number;
    /** Called as each simulated day is replayed (a long run's progress). */
    onDay?: (day: number, days: number) => void;
  },
): Promise<DemoResult> {
  const rand = random(options.seed ?? 42);
  // Its own stream: adding questions to a program leaves the rest of the demo as it was.
  const answerRand = random((options.seed ?? 42) + 1);
  const pick = <T>(items: T[]): T => items[Math.floor(rand() * items.length)]!;
  const dayMs = 24 * 60 * 60 * 1000;
  const start = new Date(options.now.getTime() - options.days * dayMs);
  const runId = options.now.getTime().toString(36);
  const result: DemoResult = {
    interactions: 0,
    sent: 0,
    answered: 0,
    from: start.toISOString(),
    to: options.now.toISOString(),
  };
  const interactions: {
    event: InteractionCompleted;
    answerAfterMs: number;
    score: number;
    answers: boolean;
    comment: boolean;
  }[] = [];

  for (let day = 0; day < options.days; day++) {
    // Interactions happen at event-based programs; tracking and periodic ones ask by themselves.
    for (const program of rt.config.programs.filter((p) => p.kind === 'event')) {
      const count = 20 + Math.floor(rand() * 20);
      for (let i = 0; i < count; i++) {
        const occurredAt = new Date(
          start.getTime() + day * dayMs + Math.floor(rand() * dayMs * 0.8),
        );
        const customer = `demo-${runId}-${interactions.length}`;
        const weights = SCORE_WEIGHTS[program.metric];
        interactions.push({
          event: {
            interactionId: `demo-${runId}-${program.touchpoint}-${interactions.length}`,
            occurredAt: occurredAt.toISOString(),
            touchpoint: program.touchpoint,
            channel: pick(CHANNELS[program.touchpoint] ?? ['web']),
            customer: {
              id: customer,
              email: `${customer}@demo.example`,
              name: pick(['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Linus']),
              locale: pick(LOCALES),
              segment: pick(SEGMENTS),
            },
            journey: {
              id: 'demo',
              step: program.touchpoint === 'order-delivered' ? 'delivery' : 'support',
            },
          },
          answers: rand() < 0.45,
          comment: rand() < 0.4,
          answerAfterMs: Math.floor(rand() * 6 * 60 * 60 * 1000),
          score: weightedPick(weights, rand()),
        });
      }
    }
  }

  // Replay the days hour by hour: intake what happened, then dispatch what has come due, so each
  // survey is sent (and answered) on the day it would have been.
  interactions.sort((a, b) => a.event.occurredAt.localeCompare(b.event.occurredAt));
  const hourMs = 60 * 60 * 1000;
  let next = 0;
  for (let t = start.getTime() + hourMs; t < options.now.getTime() + hourMs; t += hourMs) {
    const tickAt = new Date(Math.min(t, options.now.getTime()));
    const hours = Math.round((t - start.getTime()) / hourMs);
    if (hours % 24 === 0) options.onDay?.(hours / 24, options.days);
    while (
      next < interactions.length &&
      interactions[next]!.event.occurredAt <= tickAt.toISOString()
    ) {
      const { event } = interactions[next++]!;
      await intake(
        rt,
        { 'detail-type': INTERACTION_COMPLETED, source: DEMO_SOURCE, detail: event },
        new Date(event.occurredAt),
      );
      result.interactions += 1;
    }
    for (;;) {
      // Leases are read against the wall clock by a running stack's own dispatcher, so a claim
      // made in the replayed past must last into the real present.
      const leaseSeconds = Math.ceil((Date.now() - tickAt.getTime()) / 1000) + 300;
      const tick = await dispatch(rt, tickAt, {
        batchSize: 100,
        leaseSeconds,
        // a running stack's dispatcher may hold the dispatcher lease for a moment
        waitForLeaseMs: 60_000,
      });
      result.sent += tick.sent;
      if (tick.sent + tick.failed + tick.skipped === 0) break;
    }
  }
  for (const item of interactions) {
    if (!item.answers) continue;
    const invitation = await rt.invitations.get(
      invitationIdFor(DEMO_SOURCE, item.event.interactionId),
    );
    if (!invitation?.sentAt || !invitation.expiresAt || invitation.status !== 'sent') continue;
    const sentAt = new Date(invitation.sentAt);
    const answeredAt = new Date(
      Math.min(sentAt.getTime() + item.answerAfterMs, options.now.getTime()),
    );
    const token = await rt.signer.sign({
      invitationId: invitation.invitationId,
      expiresAt: new Date(invitation.expiresAt),
    });
    const metric = rt.programFor(item.event.touchpoint)!.metric;
    const comment = item.comment
      ? pick(item.score <= DEFAULT_FOLLOW_UP_THRESHOLD[metric] ? UNHAPPY : HAPPY)
      : undefined;
    const program = rt.programFor(item.event.touchpoint)!;
    const questionnaire = demoAnswers(
      program.questions,
      scoreGroupOf(metric, item.score),
      answerRand,
    );
    await submitAnswer(
      rt,
      token,
      { score: String(item.score), comment, ...questionnaire },
      answeredAt,
    );
    result.answered += 1;
  }
  return result;
}

/**
 * Answers to a program's questionnaire as a form would post them: most customers answer, the
 * earlier options are the likelier (a demo should show a clear top reason), texts are left empty.
 */
function demoAnswers(
  questions: readonly Question[],
  group: ScoreGroup,
  rand: () => number,
): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  const skewed = (options: string[]) => options[Math.floor(rand() ** 2 * options.length)]!;
  for (const question of questions) {
    if (!isAskedOf(question, group) || (!question.required && rand() < 0.3)) continue;
    if (question.type === 'text' && question.required) fields[fieldOf(question.id)] = 'Demo';
    if (question.type === 'choice') fields[fieldOf(question.id)] = skewed(question.options);
    if (question.type === 'choices') {
      const count = Math.min(1 + Math.floor(rand() * 2), question.maxChoices ?? 2);
      fields[fieldOf(question.id)] = [
        ...new Set(Array.from({ length: count }, () => skewed(question.options))),
      ];
    }
    if (question.type === 'rating') {
      const centre = group === 'detractor' || group.startsWith('not-') ? 2 : 4;
      fields[fieldOf(question.id)] = String(
        Math.min(5, Math.max(1, centre + Math.round((rand() - 0.5) * 2))),
      );
    }
  }
  return fields;
}

function weightedPick(weights: number[], r: number): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let threshold = r * total;
  for (let i = 0; i < weights.length; i++) {
    threshold -= weights[i]!;
    if (threshold < 0) return i;
  }
  return weights.length - 1;
}
