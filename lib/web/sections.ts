/** The survey's section pages (a periodic deep-dive's later pages). */
import { Hono } from 'hono';
import { InvalidAnswerError } from '../domain/errors.js';
import { isAskedOf, scoreGroupOf } from '../domain/questionnaire.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { openSurvey, submitSection, type SurveyView, ANSWER_USES } from '../usecases/answer.js';
import { sectionPage } from './pages.js';
import { errorPage } from './message-pages.js';
import { isCrossSite } from './security.js';
import {
  enteredAnswers,
  errorResponse,
  questionnaireFields,
  WEB_FORM_AND_ERRORS_USES,
} from './form-and-errors.js';
import type { PageBrand } from './pages.js';

/** What sections reaches of the runtime: its functions are built with these and no more. */
export const WEB_SECTIONS_USES = [
  ...WEB_FORM_AND_ERRORS_USES,
  ...ANSWER_USES,
] as const satisfies readonly RuntimePart[];
export type WebSectionsDeps = Needs<typeof WEB_SECTIONS_USES>;

/**
 * A deep-dive's later pages (`/s/:token/sections/:section`): shown only after the page with the
 * score was answered, each section's questions for the score's group, answers kept per section.
 */
export function sectionRoutes(
  app: Hono,
  {
    rt,
    now,
    publicOrigin,
    pageBrand,
    thankYou,
  }: {
    rt: WebSectionsDeps;
    now: () => Date;
    publicOrigin: string;
    pageBrand: PageBrand;
    thankYou: (result: SurveyView & { contactBy?: Date }) => Promise<string>;
  },
): void {
  // A deep-dive's later pages: only after the page with the score was answered.
  const sectionView = (view: SurveyView, sectionId: string) => {
    const { program, invitation } = view;
    const index = program.sections.findIndex((section) => section.id === sectionId);
    if (index < 0 || invitation.score === undefined) return undefined;
    const group = scoreGroupOf(program.metric, invitation.score);
    return {
      part: index + 2,
      parts: program.sections.length + 1,
      questions: program.questions.filter((q) => q.section === sectionId && isAskedOf(q, group)),
    };
  };
  const surveyPath = (path: string) => path.replace(/\/sections\/[^/]*$/, '');
  app.get('/s/:token/sections/:section', async (c) => {
    try {
      const view = await openSurvey(rt, c.req.param('token'), now(), { consistent: false });
      const section = sectionView(view, c.req.param('section'));
      if (!section) return c.redirect(surveyPath(c.req.path), 303);
      return c.html(
        sectionPage({
          locale: view.locale,
          wording: view.wording,
          sectionId: c.req.param('section'),
          ...section,
          answers: view.invitation.answers,
          action: c.req.path,
          brand: pageBrand,
        }),
      );
    } catch (error) {
      return errorResponse(c, error, rt);
    }
  });
  app.post('/s/:token/sections/:section', async (c) => {
    if (isCrossSite(c, publicOrigin)) return c.html(errorPage('bad-origin'), 403);
    const token = c.req.param('token');
    const sectionId = c.req.param('section');
    let form: Record<string, string | File | (string | File)[]>;
    try {
      form = await c.req.parseBody({ all: true });
    } catch {
      return c.html(errorPage('invalid-link'), 400);
    }
    const fields = questionnaireFields(form);
    try {
      const result = await submitSection(rt, token, sectionId, fields, now());
      if (result.next) {
        return c.redirect(
          `${surveyPath(c.req.path)}/sections/${encodeURIComponent(result.next)}`,
          303,
        );
      }
      return c.html(await thankYou(result));
    } catch (error) {
      if (error instanceof InvalidAnswerError) {
        try {
          const view = await openSurvey(rt, token, now());
          const section = sectionView(view, sectionId);
          if (!section) return c.redirect(surveyPath(c.req.path), 303);
          return c.html(
            sectionPage({
              locale: view.locale,
              wording: view.wording,
              sectionId,
              ...section,
              answers: enteredAnswers(fields),
              action: c.req.path,
              brand: pageBrand,
              error: error.problems.join(' '),
            }),
            422,
          );
        } catch (inner) {
          return errorResponse(c, inner, rt);
        }
      }
      return errorResponse(c, error, rt);
    }
  });
}
