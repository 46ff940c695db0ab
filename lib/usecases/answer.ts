/**
 * Answering a survey. Opening a link only reads (mail scanners follow every link); only the
 * confirming POST records the answer.
 *
 * Primary course of submitAnswer:
 * 1. Verify the signed token (forged, unknown-key or expired links record nothing).
 * 2. Validate the score (digits, within the program's scale) and the comment's length.
 * 3. Read the survey (eventually consistent, half the price): the same answer again (a double
 *    click, a resubmitted form) is a replay and changes nothing; after MAX_ANSWERS answers,
 *    changes stop. A read that missed a moment-old answer is caught by step 4's condition.
 * 4. Record the answer with one conditional write on the state read (only a sent, unexpired
 *    survey, and only if no other answer landed since): the last answer wins, the one it replaces
 *    goes to the history, and a follow-up request (or its withdrawal) is marked in the same write.
 *    A lost condition reads what is there now and decides again, so N identical concurrent POSTs
 *    make one write and one set of events.
 * 5. Publish `Survey Answered`; `Survey Follow-up Requested` the first time a score falls to the
 *    threshold, `Survey Follow-up Withdrawn` the first time a later one rises above it.
 */
import { log } from '../adapters/log.js';
import type { Wording } from '../domain/program-parts.js';
import type { Program } from '../domain/program.js';
import { AnswerInput, MAX_ANSWERS, type Invitation } from '../contracts/invitation.js';
import { DEFAULT_FOLLOW_UP_THRESHOLD } from '../contracts/survey-events.js';
import { describeIssues } from '../contracts/interaction.js';
import {
  AnswerLimitError,
  InvalidAnswerError,
  InvitationNotFoundError,
  SurveyClosedError,
} from '../domain/errors.js';
import { isValidScore, SCALES } from '../domain/metric.js';
import {
  encodeCountedAnswers,
  parseQuestionAnswers,
  sameAnswers,
  isAskedOf,
  scoreGroupOf,
  type QuestionAnswers,
  type ScoreGroup,
} from '../domain/questionnaire.js';
import { wordingFor } from '../domain/wording.js';
import { offersReview } from '../domain/review.js';
import { addIsoDuration } from '../domain/time.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { answerCountOf } from '../store/invitation-items.js';
import { contactOf, publishAnswerEvents, ANSWER_EVENTS_USES } from './answer-events.js';

/** What answer reaches of the runtime: its functions are built with these and no more. */
export const ANSWER_USES = [
  ...ANSWER_EVENTS_USES,
  'answers',
  'contacts',
  'invitations',
  'programFor',
  'signer',
  'suppressions',
] as const satisfies readonly RuntimePart[];
export type AnswerDeps = Needs<typeof ANSWER_USES>;

export interface SurveyView {
  invitation: Invitation;
  program: Program;
  locale: string;
  wording: Wording;
}

const ANSWERABLE = new Set<Invitation['status']>(['sent', 'delivered', 'answered']);

/**
 * Everything the survey page needs; writes nothing. The page and the POST read eventually
 * consistently (`consistent: false`, half the price): the POST's write is conditional on the
 * answers it read, and a lost condition returns the item as it is, so a stale read costs a retry,
 * never a wrong answer or a second set of events.
 */
export async function openSurvey(
  rt: AnswerDeps,
  token: string,
  now: Date,
  { consistent = true }: { consistent?: boolean } = {},
): Promise<SurveyView> {
  const { invitationId } = await rt.signer.verify(token, now);
  return viewOf(rt, invitationId, await rt.invitations.get(invitationId, { consistent }), now);
}

function viewOf(
  rt: AnswerDeps,
  invitationId: string,
  invitation: Invitation | undefined,
  now: Date,
): SurveyView {
  // An erased customer's survey is gone: answering would store a comment about nobody.
  if (!invitation || invitation.erasedAt) throw new InvitationNotFoundError(invitationId);
  const program = rt.programFor(invitation.touchpoint);
  if (!program) throw new InvitationNotFoundError(invitationId);
  if (!ANSWERABLE.has(invitation.status)) throw new SurveyClosedError(invitationId, 'not-sent');
  if (invitation.expiresAt && invitation.expiresAt <= now.toISOString()) {
    throw new SurveyClosedError(invitationId, 'expired');
  }
  return { invitation, program, ...wordingFor(program, invitation.locale) };
}

/** Conditional writes lost to other answers of the same survey before giving up (a flood). */
const MAX_ANSWER_ATTEMPTS = 5;

export async function submitAnswer(
  rt: AnswerDeps,
  token: string,
  form: unknown,
  now: Date,
): Promise<
  SurveyView & { score: number; replay: boolean; contactBy?: Date; reviewOffered: boolean }
> {
  let view = await openSurvey(rt, token, now, { consistent: false });
  // What the view shows is eventually consistent until a consistent read or a write's condition
  // has confirmed it.
  let confirmed = false;
  const { program } = view;
  const parsed = AnswerInput.safeParse(form);
  if (!parsed.success) throw new InvalidAnswerError(describeIssues(parsed.error));
  const { score, comment } = parsed.data;
  const followUp = view.wording.followUpQuestion ? (parsed.data.followUp ?? false) : undefined;
  if (!isValidScore(program.metric, score)) {
    const { min, max } = SCALES[program.metric];
    throw new InvalidAnswerError([
      `score: must be a whole number from ${min} to ${max}, got ${score}`,
    ]);
  }
  // The page with the score asks the questions of no section; a deep-dive's sections follow.
  const questionnaire = parseQuestionAnswers(
    firstPageQuestions(program),
    scoreGroupOf(program.metric, score),
    typeof form === 'object' && form !== null ? (form as Record<string, unknown>) : {},
    (id) => view.wording.questions?.[id]?.text ?? id,
  );
  if (questionnaire.problems.length) throw new InvalidAnswerError(questionnaire.problems);
  const pageAnswers = questionnaire.answers;
  const threshold = program.followUpThreshold ?? DEFAULT_FOLLOW_UP_THRESHOLD[program.metric];
  for (let attempt = 1; attempt <= MAX_ANSWER_ATTEMPTS; attempt++) {
    const { invitation } = view;
    // Sections already saved stay (a changed score keeps a deep-dive's later pages), except the
    // answers to questions the new score's group is not asked.
    const merged = {
      ...answersOfSections(program, invitation.answers, scoreGroupOf(program.metric, score)),
      ...pageAnswers,
    };
    const answers = Object.keys(merged).length ? merged : undefined;
    const counted = answers && encodeCountedAnswers(program.questions, answers);
    // A replayed POST (a double click, a resubmitted form) changes nothing and emits nothing again.
    if (
      invitation.status === 'answered' &&
      invitation.score === score &&
      invitation.comment === comment &&
      invitation.followUp === followUp &&
      sameAnswers(invitation.answers, answers)
    ) {
      // A replay writes nothing, so no condition would catch a stale read: an answer given since
      // (A, then B, then A again within the lag) must not be taken for this one. Read again.
      if (!confirmed) {
        view = await openSurvey(rt, token, now);
        confirmed = true;
        continue;
      }
      return {
        ...view,
        score,
        replay: true,
        reviewOffered: invitation.reviewOffered === true,
        ...contactOf(rt, program, invitation),
      };
    }
    if (answerCountOf(invitation) >= MAX_ANSWERS) {
      throw new AnswerLimitError(invitation.invitationId);
    }
    const low = score <= threshold;
    const flags = {
      request: low && !invitation.followUpRequestedAt,
      withdraw: !low && Boolean(invitation.followUpRequestedAt) && !invitation.followUpWithdrawnAt,
    };
    const reviewOffered = offersReview(program.review, program.metric, score, invitation.locale);
    // One review follow-up email per invitation at most, whatever answers follow, and none to a
    // customer who followed the invitation already (the write's condition holds the first).
    const followUpAfter = program.review?.followUpAfter;
    const reviewFollowUpAt =
      reviewOffered && followUpAfter && !invitation.reviewEmailAt && !invitation.reviewClickedAt
        ? addIsoDuration(now, followUpAfter).toISOString()
        : undefined;
    const outcome = await rt.answers.recordAnswer(
      invitation,
      { score, comment, followUp, answers, counted, reviewOffered, reviewFollowUpAt },
      now,
      flags,
    );
    if (outcome.recorded) {
      log.info('answer.recorded', { invitationId: invitation.invitationId, score });
      await publishAnswerEvents(rt, view, { score, comment, followUp, threshold, now, ...flags });
      const stored = {
        followUp,
        followUpRequestedAt: flags.request ? now.toISOString() : invitation.followUpRequestedAt,
        followUpWithdrawnAt: flags.withdraw ? now.toISOString() : invitation.followUpWithdrawnAt,
      };
      return { ...view, score, replay: false, reviewOffered, ...contactOf(rt, program, stored) };
    }
    // Another answer landed first, or the survey closed: decide again from what is stored now.
    view = viewOf(rt, invitation.invitationId, outcome.now, now);
    confirmed = true;
  }
  throw new AnswerLimitError(view.invitation.invitationId);
}

/** The questions on the page with the score: those of no section. */
export function firstPageQuestions(program: Program): Program['questions'] {
  return program.questions.filter((question) => question.section === undefined);
}

/** The stored answers to the questions of the program's sections asked of `group`. */
function answersOfSections(
  program: Program,
  answers: QuestionAnswers | undefined,
  group: ScoreGroup,
): QuestionAnswers {
  const later = new Set(
    program.questions
      .filter((q) => q.section !== undefined && isAskedOf(q, group))
      .map((q) => q.id),
  );
  return Object.fromEntries(Object.entries(answers ?? {}).filter(([id]) => later.has(id)));
}

/**
 * Saves one section of a deep-dive, after the page with the score was answered: its answers are
 * validated against the section's questions asked of the score's group and merged into what is
 * stored (the section's earlier answers replaced). Returns the next section, if any.
 */
export async function submitSection(
  rt: AnswerDeps,
  token: string,
  sectionId: string,
  form: unknown,
  now: Date,
): Promise<SurveyView & { next?: string; contactBy?: Date }> {
  let invitationId = '';
  for (let attempt = 1; attempt <= MAX_ANSWER_ATTEMPTS; attempt++) {
    const view = await openSurvey(rt, token, now);
    invitationId = view.invitation.invitationId;
    const { program, invitation } = view;
    const index = program.sections.findIndex((section) => section.id === sectionId);
    if (index < 0) throw new InvitationNotFoundError(invitation.invitationId);
    if (invitation.status !== 'answered' || invitation.score === undefined) {
      throw new InvalidAnswerError(['answer the first question first']);
    }
    const questions = program.questions.filter((q) => q.section === sectionId);
    const parsed = parseQuestionAnswers(
      questions,
      scoreGroupOf(program.metric, invitation.score),
      typeof form === 'object' && form !== null ? (form as Record<string, unknown>) : {},
      (id) => view.wording.questions?.[id]?.text ?? id,
    );
    if (parsed.problems.length) throw new InvalidAnswerError(parsed.problems);
    const mine = new Set(questions.map((q) => q.id));
    const answers = {
      ...Object.fromEntries(
        Object.entries(invitation.answers ?? {}).filter(([id]) => !mine.has(id)),
      ),
      ...parsed.answers,
    };
    const next = program.sections[index + 1]?.id;
    const result = { ...view, ...(next ? { next } : {}), ...contactOf(rt, program, invitation) };
    if (sameAnswers(invitation.answers, answers)) return result;
    const saved = await rt.answers.recordSection(
      invitation,
      answers,
      encodeCountedAnswers(program.questions, answers),
      now,
    );
    if (saved) {
      log.info('answer.section-saved', {
        invitationId: invitation.invitationId,
        section: sectionId,
      });
      return result;
    }
    // The answer changed (or the link closed) since it was read: read again and decide again.
  }
  throw new AnswerLimitError(invitationId);
}
