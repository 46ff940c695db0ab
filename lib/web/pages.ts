/** Server-rendered survey pages: mobile-first, no JavaScript needed, every dynamic value escaped. */
import type { Question, Wording } from '../domain/program-parts.js';
import { fieldOf, optionsOf, type QuestionAnswers } from '../domain/questionnaire.js';
import { COMMENT_MAX_LENGTH } from '../contracts/invitation.js';
import { html, type SafeHtml } from '../domain/html.js';
import { scaleOf, type Metric } from '../domain/metric.js';
import { directionOf, fill } from '../domain/wording.js';
import { languageIn } from './message-pages.js';
import { REVIEW_BUTTON } from '../domain/review.js';

/** What the pages show of the brand: its name, or its logo with the name as alt text. */
export interface PageBrand {
  name: string;
  logoUrl?: string;
}

function brandHeader(brand: PageBrand | undefined): SafeHtml | '' {
  if (!brand) return '';
  return html`<header class="brand">${
    brand.logoUrl ? html`<img src="${brand.logoUrl}" alt="${brand.name}" height="40">` : brand.name
  }</header>`;
}

export function layout(locale: string, title: string, body: SafeHtml, brand?: PageBrand): string {
  return html`<!doctype html>
<html lang="${locale}" dir="${directionOf(locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<link rel="stylesheet" href="/assets/survey.css">
</head>
<body><main><div class="card">${brandHeader(brand)}${body}</div></main></body>
</html>`.value;
}

/** The page's own texts, built in for these languages; a program's wording may replace each. */
const PAGE_TEXTS = {
  en: {
    savedNotice: 'Your answer is saved only when you press “{submit}”.',
    answered: 'You answered {score} on {date}.',
    yourComment: 'Your comment',
    changeAnswer: 'Change your answer',
    answerStands: 'You have changed it several times already, so this answer stands. Thank you!',
    contactExpected: 'You asked us to get in touch: {owner} will contact you by {date}.',
    reviewInvitation:
      'Glad to hear it! Would you share your experience with others? It takes a minute, and it is up to you.',
    reviewButton: REVIEW_BUTTON.en,
    part: 'Part {n} of {total}',
    savedSoFar: 'What you answered so far is saved. These questions are optional.',
  },
  de: {
    savedNotice: 'Ihre Antwort wird erst gespeichert, wenn Sie auf „{submit}“ tippen.',
    answered: 'Sie haben am {date} mit {score} geantwortet.',
    yourComment: 'Ihr Kommentar',
    changeAnswer: 'Antwort ändern',
    answerStands: 'Sie haben sie schon mehrmals geändert, daher gilt diese Antwort. Vielen Dank!',
    contactExpected: 'Sie möchten, dass wir uns melden: {owner} meldet sich bis {date} bei Ihnen.',
    reviewInvitation:
      'Das freut uns! Möchten Sie Ihre Erfahrung mit anderen teilen? Es dauert eine Minute und ist ganz Ihnen überlassen.',
    reviewButton: REVIEW_BUTTON.de,
    part: 'Teil {n} von {total}',
    savedSoFar: 'Ihre bisherigen Antworten sind gespeichert. Diese Fragen sind freiwillig.',
  },
} as const;

type PageTexts = Record<keyof (typeof PAGE_TEXTS)['en'], string>;

function pageTexts(locale: string, wording: Wording): PageTexts {
  const builtIn = PAGE_TEXTS[languageIn(PAGE_TEXTS, locale)];
  return {
    savedNotice: wording.savedNotice ?? builtIn.savedNotice,
    answered: wording.answered ?? builtIn.answered,
    yourComment: wording.yourComment ?? builtIn.yourComment,
    changeAnswer: wording.changeAnswer ?? builtIn.changeAnswer,
    answerStands: wording.answerStands ?? builtIn.answerStands,
    contactExpected: wording.contactExpected ?? builtIn.contactExpected,
    reviewInvitation: wording.reviewInvitation ?? builtIn.reviewInvitation,
    reviewButton: wording.reviewButton ?? builtIn.reviewButton,
    part: builtIn.part,
    savedSoFar: builtIn.savedSoFar,
  };
}

/** The answer a link already carries, shown when the customer opens it again. */
export interface GivenAnswer {
  score: number;
  /** The day it was given, as people say it; left out of the sentence when unknown. */
  day?: string;
  comment?: string;
  /** Whether it may still be changed: the link is open and the change cap not reached. */
  canChange: boolean;
}

export function surveyPage(input: {
  locale: string;
  wording: Wording;
  question: string;
  metric: Metric;
  action: string;
  brand?: PageBrand;
  /** The line that names the interaction, when the program has one that could be filled. */
  about?: string;
  answered?: GivenAnswer;
  selected?: number;
  comment?: string;
  followUp?: boolean;
  /** The program's questionnaire, after the score, and the answers to show in it. */
  questions?: readonly Question[];
  answers?: QuestionAnswers | undefined;
  error?: string;
}): string {
  const { wording, metric, selected, answered } = input;
  const texts = pageTexts(input.locale, wording);
  const scores = scaleOf(metric);
  const about = input.about ? html`<p class="about">${input.about}</p>` : '';
  const given = answered
    ? html`<section class="answered">
<h1>${
        fill(texts.answered, { score: String(answered.score), date: answered.day }) ??
        `${answered.score}`
      }</h1>
${answered.comment ? html`<p class="label">${texts.yourComment}</p><blockquote>${answered.comment}</blockquote>` : ''}
${answered.canChange ? '' : html`<p>${texts.answerStands}</p>`}
</section>`
    : '';
  if (answered && !answered.canChange) {
    return layout(input.locale, wording.subject, html`${about}${given}`, input.brand);
  }
  const question = answered
    ? html`<h2 class="change">${texts.changeAnswer}</h2><fieldset><legend><h2>${input.question}</h2></legend>`
    : html`<fieldset><legend><h1>${input.question}</h1></legend>`;
  return layout(
    input.locale,
    wording.subject,
    html`${about}${given}<form method="post" action="${input.action}" class="m-${metric}">
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
${question}
<p class="end low">${scores[0]} = ${wording.lowLabel}</p>
<div class="scale n${scores.length}">
${scores.map(
  (score) =>
    html`<label><input type="radio" name="score" value="${score}" required${selected === score ? html` checked` : ''}><span>${score}</span></label>`,
)}
</div>
<p class="end high">${scores.at(-1)} = ${wording.highLabel}</p>
</fieldset>
${(input.questions ?? []).map((question) => questionHtml(question, wording, input.answers?.[question.id]))}
<label class="comment" for="comment">${wording.commentPrompt}</label>
<textarea id="comment" name="comment" rows="3" maxlength="${COMMENT_MAX_LENGTH}">${input.comment ?? ''}</textarea>
${wording.followUpQuestion ? html`<label class="follow-up"><input type="checkbox" name="followUp" value="yes"${input.followUp ? html` checked` : ''}> ${wording.followUpQuestion}</label>` : ''}
<div class="send">
<p class="saved" id="saved">${fill(texts.savedNotice, { submit: wording.submit }) ?? ''}</p>
<button type="submit" aria-describedby="saved">${wording.submit}</button>
</div>
</form>`,
    input.brand,
  );
}

/**
 * One question of the questionnaire: a fieldset of radio buttons (one choice, a 1–5 rating) or
 * checkboxes (several choices), or a labelled text box. Every control has its visible label.
 */
function questionHtml(
  question: Question,
  wording: Wording,
  answer: QuestionAnswers[string] | undefined,
  /** On the page with the score: shown by CSS once a score of its groups is chosen. */
  { followsScore = true }: { followsScore?: boolean } = {},
): SafeHtml {
  const texts = wording.questions?.[question.id];
  const text = texts?.text ?? question.id;
  const conditional = followsScore && question.askIf !== undefined;
  const classes = [
    'q',
    ...(conditional ? ['asks', ...question.askIf!.map((g) => `ask-${g}`)] : []),
  ];
  const field = fieldOf(question.id);
  const id = `q-${question.id}`;
  const hint = texts?.hint ? html`<p class="hint" id="${id}-hint">${texts.hint}</p>` : '';
  const described = texts?.hint ? html` aria-describedby="${id}-hint"` : '';
  // Never on a question hidden until a score is chosen: a hidden required control blocks the form.
  const required = question.required && !conditional ? html` required` : '';
  if (question.type === 'text') {
    return html`<div class="${classes.join(' ')}"><label class="comment" for="${id}">${text}</label>${hint}<textarea id="${id}" name="${field}" rows="2" maxlength="${question.maxLength}"${described}${required}>${typeof answer === 'string' ? answer : ''}</textarea></div>`;
  }
  const given = new Set(
    (Array.isArray(answer) ? answer : answer === undefined ? [] : [answer]).map(String),
  );
  if (question.type === 'rating') {
    const ratings = optionsOf(question);
    return html`<fieldset class="${classes.join(' ')}"${described}><legend><h2>${text}</h2></legend>${hint}
<p class="end low">${ratings[0]} = ${texts?.lowLabel ?? ''}</p>
<div class="scale n${ratings.length}">${ratings.map(
      (rating) =>
        html`<label><input type="radio" name="${field}" value="${rating}"${required}${given.has(rating) ? html` checked` : ''}><span>${rating}</span></label>`,
    )}</div>
<p class="end high">${ratings.at(-1)} = ${texts?.highLabel ?? ''}</p></fieldset>`;
  }
  const kind = question.type === 'choice' ? 'radio' : 'checkbox';
  return html`<fieldset class="${classes.join(' ')}"${described}><legend><h2>${text}</h2></legend>${hint}
${question.options.map(
  (option) =>
    html`<label class="option"><input type="${kind}" name="${field}" value="${option}"${kind === 'radio' ? required : ''}${given.has(option) ? html` checked` : ''}> ${texts?.options?.[option] ?? option}</label>`,
)}</fieldset>`;
}

/**
 * A later page of a deep-dive: the section's questions asked of the customer's score group, what
 * they gave before prefilled. Everything before is saved already, and the page says so.
 */
export function sectionPage(input: {
  locale: string;
  wording: Wording;
  sectionId: string;
  /** 2 for the first section: the page with the score is part 1. */
  part: number;
  parts: number;
  /** The section's questions asked of the customer's score group. */
  questions: readonly Question[];
  answers?: QuestionAnswers | undefined;
  action: string;
  brand?: PageBrand;
  error?: string;
}): string {
  const { wording } = input;
  const texts = pageTexts(input.locale, wording);
  const section = wording.sections?.[input.sectionId];
  return layout(
    input.locale,
    section?.title ?? wording.subject,
    html`<form method="post" action="${input.action}">
<p class="about">${fill(texts.part, { n: String(input.part), total: String(input.parts) }) ?? ''}</p>
<h1>${section?.title ?? ''}</h1>
${section?.intro ? html`<p>${section.intro}</p>` : ''}
<p class="saved">${texts.savedSoFar}</p>
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
${input.questions.map((question) =>
  questionHtml(question, wording, input.answers?.[question.id], { followsScore: false }),
)}
<div class="send"><button type="submit">${wording.submit}</button></div>
</form>`,
    input.brand,
  );
}

/** When the customer asked to be contacted about a low answer: by when, and by whom. */
export interface ExpectedContact {
  by: Date;
  /** The customer's time zone and locale, in which the date is written. */
  timeZone: string;
  locale: string;
  /** Who will be in touch, as the customer may read it (the brand). */
  who: string;
}

export function thankYouPage(
  locale: string,
  wording: Wording,
  brand?: PageBrand,
  contact?: ExpectedContact,
  /** The signed redirect to the review destination, for a happy answer invited to review. */
  reviewLink?: string,
): string {
  const texts = pageTexts(locale, wording);
  const when =
    contact &&
    new Intl.DateTimeFormat(contact.locale, {
      timeZone: contact.timeZone,
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      hour: 'numeric',
      minute: '2-digit',
    }).format(contact.by);
  const expected =
    contact && when ? fill(texts.contactExpected, { owner: contact.who, date: when }) : undefined;
  return layout(
    locale,
    wording.thanks,
    html`<h1>${wording.thanks}</h1>${expected ? html`<p class="contact-expected">${expected}</p>` : ''}${reviewLink ? html`<section class="review"><p>${texts.reviewInvitation}</p><p><a class="review-link" href="${reviewLink}">${texts.reviewButton}</a></p></section>` : ''}`,
    brand,
  );
}
