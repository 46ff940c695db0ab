/**
 * The survey web app (Hono): the same app runs on a local Node server and behind API Gateway.
 * GET and HEAD only read (mail scanners follow every link); the page's form POST records.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { inFunction } from '../adapters/function-scope.js';
import { log } from '../adapters/log.js';
import { InvalidAnswerError } from '../domain/errors.js';
import { MAX_ANSWERS } from '../contracts/invitation.js';
import type { QuestionAnswers } from '../domain/questionnaire.js';
import {
  dateLocale,
  fill,
  formatDay,
  interactionLine,
  interactionValues,
} from '../domain/wording.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { answerCountOf } from '../store/invitation-items.js';
import {
  firstPageQuestions,
  openSurvey,
  submitAnswer,
  type SurveyView,
  ANSWER_USES,
} from '../usecases/answer.js';
import { unsubscribe, UNSUBSCRIBE_USES } from '../usecases/unsubscribe.js';
import { followReview, REVIEW_USES } from '../usecases/review.js';
import { surveyPage, thankYouPage } from './pages.js';
import { surveyStylesheet } from './survey-styles.js';
import { errorPage, unsubscribedPage, unsubscribePage } from './message-pages.js';
import { rateLimit } from './rate-limit.js';
import { sectionRoutes } from './sections.js';
import { isCrossSite, securityHeaders } from './security.js';
import {
  enteredAnswers,
  errorResponse,
  questionnaireFields,
  WEB_FORM_AND_ERRORS_USES,
} from './form-and-errors.js';

/** What app reaches of the runtime: its functions are built with these and no more. */
export const WEB_APP_USES = [
  ...UNSUBSCRIBE_USES,
  ...REVIEW_USES,
  ...WEB_FORM_AND_ERRORS_USES,
  ...ANSWER_USES,
  'config',
  'publicBaseUrl',
] as const satisfies readonly RuntimePart[];
export type WebAppDeps = Needs<typeof WEB_APP_USES>;

/**
 * Largest request body read: a survey answer with a 2,000-character comment is well under it, and
 * nothing bigger is parsed at all.
 */
export const MAX_BODY_BYTES = 16 * 1024;

export interface WebAppOptions {
  now?: () => Date;
  /** More routes, behind the same middleware (the benchmark's minimal reference handler). */
  routes?: (app: Hono) => void;
  /** Per-client request limit on survey and unsubscribe links (the local server; AWS throttles at API Gateway). */
  rateLimit?: { requests: number; windowMs: number; clientKey: (c: Context) => string };
}

/** How many times the survey routes' per-client budget the unsubscribe routes get. */
export const UNSUBSCRIBE_BUDGET_FACTOR = 4;

export function createWebApp(rt: WebAppDeps, options: WebAppOptions = {}): Hono {
  const now = options.now ?? (() => new Date());
  const publicOrigin = new URL(rt.publicBaseUrl).origin;
  const { brand, branding } = rt.config;
  const pageBrand = { name: brand, logoUrl: branding.logoUrl };
  const stylesheet = surveyStylesheet(branding);
  const app = new Hono();

  // Images from our own origin and the configured logo's (https, checked at config load) only.
  app.use(
    '*',
    securityHeaders({ images: branding.logoUrl ? [new URL(branding.logoUrl).origin] : [] }),
  );

  // Survey, review and unsubscribe links are the answer function's work.
  app.use('/s/*', (_c, next) => inFunction('answer', next));
  app.use('/r/*', (_c, next) => inFunction('answer', next));
  app.use('/u/*', (_c, next) => inFunction('answer', next));

  if (options.rateLimit) {
    const onLimited = (c: Context) => c.html(errorPage('too-many'), 429);
    app.use('/s/*', rateLimit({ ...options.rateLimit, onLimited }));
    app.use('/r/*', rateLimit({ ...options.rateLimit, onLimited }));
    // Unsubscribing has its own, more generous budget: a client that spent its survey budget (a
    // flood from a shared address, a mail scanner) still unsubscribes, as mailbox providers
    // require of bulk senders; the route is cheap (one verify, one read, two writes).
    app.use(
      '/u/*',
      rateLimit({
        ...options.rateLimit,
        requests: options.rateLimit.requests * UNSUBSCRIBE_BUDGET_FACTOR,
        onLimited,
      }),
    );
  }

  // Refused before a byte is parsed: by Content-Length, or while reading a body sent without one.
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.html(errorPage('too-large'), 413),
    }),
  );

  app.get('/healthz', (c) => c.json({ ok: true }));
  options.routes?.(app);
  app.get('/assets/survey.css', (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    return c.body(stylesheet);
  });

  app.get('/s/:token', async (c) => {
    const token = c.req.param('token');
    try {
      const view = await openSurvey(rt, token, now(), { consistent: false });
      const requested = c.req.query('score');
      // Only reads: an answered link shows its answer; the tapped score is preselected to change it.
      return c.html(
        renderForm(view, c.req.path, {
          selected: requested && /^\d{1,2}$/.test(requested) ? Number(requested) : undefined,
        }),
      );
    } catch (error) {
      return errorResponse(c, error, rt);
    }
  });

  app.post('/s/:token', async (c) => {
    // Cross-site form posts are refused: the browser's Origin must be our own.
    if (isCrossSite(c, publicOrigin)) return c.html(errorPage('bad-origin'), 403);
    const token = c.req.param('token');
    let form: Record<string, string | File | (string | File)[]>;
    try {
      // all: a question answered with several ticks repeats its field.
      form = await c.req.parseBody({ all: true });
    } catch {
      return c.html(errorPage('invalid-link'), 400);
    }
    const fields = {
      score: typeof form.score === 'string' ? form.score : undefined,
      comment: typeof form.comment === 'string' ? form.comment : undefined,
      followUp: typeof form.followUp === 'string' ? form.followUp : undefined,
      ...questionnaireFields(form),
    };
    try {
      const result = await submitAnswer(rt, token, fields, now());
      // A deep-dive goes on with its sections, each saved when submitted.
      const [first] = result.program.sections;
      if (first) return c.redirect(`${c.req.path}/sections/${encodeURIComponent(first.id)}`, 303);
      return c.html(await thankYou(result));
    } catch (error) {
      if (error instanceof InvalidAnswerError) {
        try {
          const view = await openSurvey(rt, token, now());
          return c.html(
            renderForm(view, c.req.path, {
              selected: /^\d{1,2}$/.test(fields.score ?? '') ? Number(fields.score) : undefined,
              comment: fields.comment,
              followUp: fields.followUp !== undefined,
              answers: enteredAnswers(fields),
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

  sectionRoutes(app, { rt, now, publicOrigin, pageBrand, thankYou });

  // The review invitation's signed redirect: counts the click, then goes where the config says.
  app.get('/r/:token', async (c) => {
    try {
      // HEAD (a link checker) goes the same way but records no click.
      const destination = await followReview(rt, c.req.param('token'), now(), {
        record: c.req.method === 'GET',
      });
      c.header('Referrer-Policy', 'no-referrer');
      return c.redirect(destination, 303);
    } catch (error) {
      return errorResponse(c, error, rt);
    }
  });

  // Unsubscribe: GET asks; POST opts out, both from our page's form and as RFC 8058 one-click
  // (`List-Unsubscribe=One-Click`, posted by the mail provider without an Origin).
  app.get('/u/:token', async (c) => {
    try {
      const { locale } = await unsubscribe(rt, c.req.param('token'), now(), { record: false });
      return c.html(unsubscribePage(locale, rt.config.brand, c.req.path));
    } catch (error) {
      return errorResponse(c, error, rt);
    }
  });
  app.post('/u/:token', async (c) => {
    if (isCrossSite(c, publicOrigin)) return c.html(errorPage('bad-origin'), 403);
    try {
      const { locale } = await unsubscribe(rt, c.req.param('token'), now(), { record: true });
      return c.html(unsubscribedPage(locale, rt.config.brand));
    } catch (error) {
      return errorResponse(c, error, rt);
    }
  });

  app.notFound((c) => c.html(errorPage('not-found'), 404));
  app.onError((error, c) => {
    log.error('web.error', { error: error.name, path: c.req.routePath });
    return c.html(errorPage('server-error'), 500);
  });
  return app;

  /** The thank-you page, saying by when contact is due when the customer asked for it. */
  async function thankYou(result: SurveyView & { contactBy?: Date; reviewOffered?: boolean }) {
    const contact = result.contactBy && {
      by: result.contactBy,
      timeZone: result.invitation.timeZone,
      locale: result.invitation.locale,
      who: rt.config.brand,
    };
    // A happy answer invited to review links to the signed redirect (review.ts), not the site.
    const { invitationId, expiresAt } = result.invitation;
    const reviewLink =
      (result.reviewOffered ?? result.invitation.reviewOffered) && expiresAt
        ? `/r/${await rt.signer.sign({ invitationId, expiresAt: new Date(expiresAt) }, 'review')}`
        : undefined;
    return thankYouPage(result.locale, result.wording, pageBrand, contact, reviewLink);
  }

  /**
   * The survey form, or for an answered link the answer given (score, comment, day) with the form
   * to change it, prefilled, while changes are allowed; once they are not, the answer alone.
   */
  function renderForm(
    view: SurveyView,
    action: string,
    entered: {
      selected?: number;
      comment?: string;
      followUp?: boolean;
      answers?: QuestionAnswers;
      error?: string;
    } = {},
  ) {
    const { invitation, locale, wording } = view;
    const answered =
      invitation.status === 'answered' && invitation.score !== undefined
        ? {
            score: invitation.score,
            day: invitation.answeredAt
              ? formatDay(
                  invitation.answeredAt,
                  dateLocale(invitation.locale, locale),
                  invitation.timeZone,
                )
              : undefined,
            comment: invitation.comment,
            // The link is open (openSurvey refuses an expired one); the cap is the other limit.
            canChange: answerCountOf(invitation) < MAX_ANSWERS,
          }
        : undefined;
    return surveyPage({
      locale,
      wording,
      question:
        fill(wording.question, { brand, touchpoint: invitation.touchpoint }) ?? wording.question,
      about: interactionLine(wording, interactionValues(invitation, locale, brand)),
      metric: view.program.metric,
      action,
      brand: pageBrand,
      answered,
      selected: entered.selected ?? answered?.score,
      comment: entered.comment ?? (entered.error ? undefined : invitation.comment),
      followUp: entered.followUp ?? invitation.followUp,
      questions: firstPageQuestions(view.program),
      answers: entered.answers ?? (entered.error ? undefined : invitation.answers),
      error: entered.error,
    });
  }
}
