import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_CONFIG_PATH,
  loadConfig,
  parseConfig,
} from '../../lib/config/load.js';
import type { Question } from '../../lib/domain/program-parts.js';
import { emptyRollupRow, type RollupRow } from '../../lib/contracts/report.js';
import { questionResults, topOptions } from '../../lib/domain/drivers.js';
import {
  decodeCountedAnswers,
  encodeCountedAnswers,
  parseQuestionAnswers,
  scoreGroupOf,
} from '../../lib/domain/questionnaire.js';
import { wilson } from '../../lib/domain/scoring.js';
import { buildReport } from '../../lib/usecases/report.js';

const questions: Question[] = [
  {
    id: 'reason',
    type: 'choice',
    askIf: ['detractor', 'passive'],
    required: false,
    options: ['waiting-time', 'not-resolved', 'other'],
  },
  {
    id: 'channels',
    type: 'choices',
    required: false,
    options: ['phone', 'chat', 'email'],
    maxChoices: 2,
  },
  { id: 'effort', type: 'rating', required: true },
  { id: 'more', type: 'text', required: false, maxLength: 20 },
];

describe('score groups', () => {
  it('follow metrics.md: NPS 0–6 / 7–8 / 9–10, CSAT 4–5 satisfied, CES 5–7 easy', () => {
    expect([0, 6, 7, 8, 9, 10].map((s) => scoreGroupOf('nps', s))).toEqual([
      'detractor',
      'detractor',
      'passive',
      'passive',
      'promoter',
      'promoter',
    ]);
    expect([1, 3, 4, 5].map((s) => scoreGroupOf('csat', s))).toEqual([
      'not-satisfied',
      'not-satisfied',
      'satisfied',
      'satisfied',
    ]);
    expect([1, 4, 5, 7].map((s) => scoreGroupOf('ces', s))).toEqual([
      'not-easy',
      'not-easy',
      'easy',
      'easy',
    ]);
  });
});

describe('answers to a questionnaire', () => {
  it('keeps the valid answers, in the program order for several choices', () => {
    const { answers, problems } = parseQuestionAnswers(questions, 'detractor', {
      'q.reason': 'not-resolved',
      'q.channels': ['email', 'phone'],
      'q.effort': '4',
      'q.more': '  slow  ',
    });
    expect(problems).toEqual([]);
    expect(answers).toEqual({
      reason: 'not-resolved',
      channels: ['phone', 'email'],
      effort: 4,
      more: 'slow',
    });
  });

  it('refuses anything not on the list, naming the question', () => {
    const { problems } = parseQuestionAnswers(
      questions,
      'detractor',
      {
        'q.reason': 'price',
        'q.channels': ['phone', 'chat', 'email'],
        'q.effort': '6',
        'q.more': 'x'.repeat(21),
        'q.extra': 'hello',
      },
      (id) => `«${id}»`,
    );
    expect(problems).toEqual([
      'q.extra: there is no such question in this survey',
      '«reason»: choose one of the answers listed',
      '«channels»: choose at most 2',
      '«effort»: choose one of the answers listed',
      '«more»: must be at most 20 characters',
    ]);
    for (const bad of [['waiting-time', 'other'], '__proto__', 'constructor', ' ', '1e0']) {
      const result = parseQuestionAnswers(questions, 'detractor', {
        'q.reason': bad,
        'q.effort': '3',
      });
      expect(result.answers.reason).toBeUndefined();
      if (bad !== ' ') expect(result.problems).toHaveLength(1);
    }
    expect(
      parseQuestionAnswers(questions, 'promoter', { 'q.effort': '2.0' }).problems,
    ).toHaveLength(1);
  });

  it('asks for a required answer, and drops answers to questions the score group was not asked', () => {
    expect(parseQuestionAnswers(questions, 'promoter', {}).problems).toEqual([
      'effort: please answer this question',
    ]);
    // Chose a detractor score, ticked a reason, then changed to a promoter: the reason is dropped.
    const { answers, problems } = parseQuestionAnswers(questions, 'promoter', {
      'q.reason': 'waiting-time',
      'q.effort': '5',
    });
    expect(problems).toEqual([]);
    expect(answers).toEqual({ effort: 5 });
  });

  it('round-trips the counted answers through the index key, texts as answered only', () => {
    const encoded = encodeCountedAnswers(questions, {
      reason: 'other',
      channels: ['phone', 'chat'],
      effort: 2,
      more: 'a private remark',
    });
    expect(encoded).toBe('reason=other;channels=phone,chat;effort=2;more');
    expect(encoded).not.toContain('private');
    expect(decodeCountedAnswers(encoded)).toEqual({
      reason: ['other'],
      channels: ['phone', 'chat'],
      effort: ['2'],
      more: [],
    });
    fc.assert(
      fc.property(
        fc.subarray(['waiting-time', 'not-resolved', 'other'], { minLength: 1, maxLength: 1 }),
        fc.subarray(['phone', 'chat', 'email'], { minLength: 1, maxLength: 2 }),
        fc.integer({ min: 1, max: 5 }),
        (reason, channels, effort) => {
          const decoded = decodeCountedAnswers(
            encodeCountedAnswers(questions, { reason: reason[0]!, channels, effort }),
          );
          expect(decoded).toEqual({ reason, channels, effort: [String(effort)] });
          expect(encodeCountedAnswers(questions, {}).includes('#')).toBe(false);
        },
      ),
    );
  });
});

describe('questionnaire config', () => {
  /** A program as raw JSON, to break on purpose. */
  interface RawProgram {
    questions: unknown[];
    wording: Record<string, { questions?: Record<string, unknown> }>;
  }
  function problemsOf(change: (program: RawProgram) => void): string[] {
    const config = structuredClone(loadConfig(DEFAULT_CONFIG_PATH)) as unknown as {
      programs: RawProgram[];
    };
    change(config.programs[0]!);
    try {
      parseConfig(config, 'test.json');
    } catch (error) {
      return (error as ConfigError).problems;
    }
    return [];
  }

  it('ships example questions that load', () => {
    const config = loadConfig(DEFAULT_CONFIG_PATH);
    const call = config.programs.find((p) => p.touchpoint === 'support-call')!;
    expect(call.questions.map((q) => q.id)).toEqual(['reason', 'resolved']);
  });

  it('names every problem by its path', () => {
    const problems = problemsOf((program) => {
      program.questions = [
        { id: 'reason', type: 'choice', askIf: ['satisfied'], options: ['a', 'a'] },
        { id: 'reason', type: 'choices', options: ['x'] },
        { id: 'Bad Id', type: 'rating' },
        { id: 'constructor', type: 'rating' },
        { id: 'why', type: 'choices', options: ['a', 'b'], maxChoices: 3 },
      ];
      program.wording.en!.questions = {
        reason: { text: 'Why?', options: { a: 'A', z: 'Z' } },
        gone: { text: 'Old question' },
      };
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^programs\.0\.questions\.1\.options: too small/i),
        expect.stringMatching(/^programs\.0\.questions\.2\.id: must start with a lower-case/),
        'programs.0.questions.3.id: must not be a name JavaScript objects already have',
      ]),
    );
    const fixed = problemsOf((program) => {
      program.questions = [
        { id: 'reason', type: 'choice', askIf: ['satisfied'], options: ['a', 'a'] },
        { id: 'reason', type: 'rating' },
        { id: 'why', type: 'choices', options: ['a', 'b'], maxChoices: 3 },
      ];
      program.wording.en!.questions = {
        reason: { text: 'Why?', options: { a: 'A', z: 'Z' } },
        gone: { text: 'Old question' },
      };
    });
    expect(fixed).toEqual(
      expect.arrayContaining([
        'programs.0.questions.1.id: duplicate question id "reason" (also questions.0)',
        'programs.0.questions.0.askIf.0: "satisfied" is no score group of nps: use "detractor", "passive", "promoter"',
        'programs.0.questions.0.options.1: duplicate option "a"',
        'programs.0.questions.2.maxChoices: is 3, but the question has only 2 options',
        'programs.0.wording.en.questions.reason.options.z: "z" is not an option of question "reason"',
        'programs.0.wording.en.questions.gone: "gone" is not a question of program "support-call"',
        'programs.0.wording.en.questions.why: needs the text of question "why" in locale "en"',
        'programs.0.wording.de.questions.why: needs the text of question "why" in locale "de"',
      ]),
    );
  });

  it("checks a deep-dive's sections: each listed, each with questions, each titled in every locale", () => {
    const problems = problemsOf((program) => {
      (program as unknown as { sections: unknown[] }).sections = [
        { id: 'service' },
        { id: 'empty' },
      ];
      program.questions = [{ id: 'speed', type: 'rating', section: 'servce' }];
      for (const locale of ['en', 'de']) {
        program.wording[locale]!.questions = {
          speed: { text: 'Speed', lowLabel: 'Slow', highLabel: 'Fast' },
        };
      }
      (program.wording.en as Record<string, unknown>).sections = { service: { title: 'Service' } };
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'programs.0.sections.0: section "service" has no questions',
        'programs.0.sections.1: section "empty" has no questions',
        'programs.0.questions.0.section: "servce" is not one of the program\'s sections (service, empty)',
        'programs.0.wording.de.sections.service: needs the title of section "service" in locale "de"',
      ]),
    );
  });

  it('refuses ratings without their ends, and answers too long for the index key', () => {
    const problems = problemsOf((program) => {
      const options = Array.from({ length: 15 }, (_, i) => `option-${'x'.repeat(20)}-${i}`);
      program.questions = [
        { id: 'grade', type: 'rating' },
        ...['a', 'b', 'c'].map((id) => ({ id, type: 'choices', options })),
      ];
      for (const locale of ['en', 'de']) {
        program.wording[locale]!.questions = {
          grade: { text: 'Grade', lowLabel: 'Bad' },
          ...Object.fromEntries(
            ['a', 'b', 'c'].map((id) => [
              id,
              { text: id, options: Object.fromEntries(options.map((o) => [o, o])) },
            ]),
          ),
        };
      }
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'programs.0.wording.en.questions.grade.highLabel: needs highLabel of rating "grade" in locale "en"',
        expect.stringMatching(
          /^programs\.0\.questions: a full set of answers takes \d+ characters/,
        ),
      ]),
    );
  });
});

describe('drivers', () => {
  function row(questionsCounts: RollupRow['questions'], day = '2026-11-02'): RollupRow {
    return {
      ...emptyRollupRow({
        day,
        touchpoint: 'support-call',
        channel: 'phone',
        segment: '-',
        journeyStep: '-',
        metric: 'nps',
      }),
      questions: questionsCounts,
    };
  }

  it('gives counts, shares and Wilson intervals per option and score group, over the period', () => {
    const rows = [
      row({
        reason: {
          answered: { detractor: 8, passive: 2 },
          options: { 'waiting-time': { detractor: 5, passive: 1 }, other: { detractor: 3 } },
        },
      }),
      row(
        {
          reason: {
            answered: { detractor: 2, passive: 2 },
            options: {
              'waiting-time': { detractor: 1 },
              'not-resolved': { detractor: 1, passive: 2 },
            },
          },
        },
        '2026-11-03',
      ),
    ];
    const report = buildReport(
      rows,
      ['touchpoint'],
      () => undefined,
      { from: '2026-11-02', to: '2026-11-03', totals: true },
      () => questions,
    );
    const total = report.find((r) => r.day === 'total')!;
    const [reason] = total.questions;
    expect(reason).toMatchObject({
      questionId: 'reason',
      type: 'choice',
      answered: 14,
      answeredByGroup: { detractor: 10, passive: 4 },
    });
    // Options in the program's order, each with its share among those who answered.
    expect(reason!.options.map((o) => [o.option, o.count])).toEqual([
      ['waiting-time', 7],
      ['not-resolved', 3],
      ['other', 3],
    ]);
    const waiting = reason!.options[0]!;
    expect(waiting.share).toBeCloseTo((7 / 14) * 100, 9);
    expect(waiting.byGroup.detractor).toMatchObject({ count: 6, lowN: true });
    expect(waiting.byGroup.detractor!.share).toBeCloseTo(60, 9);
    expect(waiting.byGroup.detractor!.ciLow).toBeCloseTo(wilson(6, 10).ciLow, 9);
    expect(waiting.byGroup.detractor!.ciHigh).toBeCloseTo(wilson(6, 10).ciHigh, 9);
    expect(topOptions(reason!, 'detractor').map((o) => [o.option, o.count])).toEqual([
      ['waiting-time', 6],
      ['other', 3],
      ['not-resolved', 1],
    ]);
    expect(topOptions(reason!, 'passive').map((o) => o.option)).toEqual([
      'not-resolved',
      'waiting-time',
    ]);
    // The day rows carry their own day's answers only.
    expect(report.find((r) => r.day === '2026-11-03')!.questions[0]!.answered).toBe(4);
  });

  it('gives a rating its distribution and mean with the t interval', () => {
    const [result] = questionResults(
      {
        effort: {
          answered: { promoter: 3, detractor: 1 },
          options: { '5': { promoter: 2 }, '4': { promoter: 1 }, '1': { detractor: 1 } },
        },
      },
      (id) => questions.find((q) => q.id === id),
    );
    expect(result!.options.map((o) => o.count)).toEqual([1, 0, 0, 1, 2]);
    expect(result!.mean).toBeCloseTo(15 / 4, 9);
    expect(result!.meanCiLow).toBeLessThan(15 / 4);
    expect(result!.meanCiHigh).toBeGreaterThan(15 / 4);
  });
});
