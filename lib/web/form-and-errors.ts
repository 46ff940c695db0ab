/**
 * What the survey routes share: the questionnaire's fields of a posted form, the answers entered
 * (kept when the form comes back with a problem), and an error as the page and status it deserves.
 */
import type { Context } from 'hono';
import {
  AnswerLimitError,
  InvalidLinkError,
  InvitationNotFoundError,
  SurveyClosedError,
} from '../domain/errors.js';
import type { QuestionAnswers } from '../domain/questionnaire.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { errorPage, type ErrorKind } from './message-pages.js';

/** What form-and-errors reaches of the runtime: its functions are built with these and no more. */
export const WEB_FORM_AND_ERRORS_USES = ['invitations'] as const satisfies readonly RuntimePart[];
export type WebFormAndErrorsDeps = Needs<typeof WEB_FORM_AND_ERRORS_USES>;

/** The questionnaire's fields of a form (`q.<id>`), validated against the program's questions. */
export function questionnaireFields(form: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(form).filter(([name]) => name.startsWith('q.')));
}

/** What the customer entered in the questionnaire, to give the form back after an error. */
export function enteredAnswers(fields: Record<string, unknown>): QuestionAnswers {
  const answers: QuestionAnswers = {};
  for (const [name, value] of Object.entries(fields)) {
    if (!name.startsWith('q.')) continue;
    const values = (Array.isArray(value) ? value : [value]).filter(
      (entry): entry is string => typeof entry === 'string',
    );
    answers[name.slice(2)] = Array.isArray(value) ? values : (values[0] ?? '');
  }
  return answers;
}

/**
 * Maps domain errors to a friendly page and its 4xx status, in the invitation's language where
 * the link was genuine; anything else is a 500 (onError).
 */
export async function errorResponse(c: Context, error: unknown, rt: WebFormAndErrorsDeps) {
  const match = errorKind(error);
  if (!match) throw error;
  const invitationId =
    error instanceof SurveyClosedError ||
    error instanceof InvalidLinkError ||
    error instanceof AnswerLimitError
      ? error.invitationId
      : undefined;
  const locale = invitationId ? (await rt.invitations.get(invitationId))?.locale : undefined;
  return c.html(errorPage(match[0], locale), match[1]);
}

export function errorKind(error: unknown): [ErrorKind, 400 | 404 | 409 | 410] | undefined {
  if (error instanceof InvalidLinkError) {
    return error.reason === 'expired' ? ['closed', 410] : ['invalid-link', 400];
  }
  if (error instanceof SurveyClosedError) {
    return error.why === 'expired' ? ['closed', 410] : ['not-found', 404];
  }
  if (error instanceof InvitationNotFoundError) return ['not-found', 404];
  if (error instanceof AnswerLimitError) return ['answer-limit', 409];
  return undefined;
}
