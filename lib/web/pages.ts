/** Server-rendered survey pages: mobile-first, no JavaScript needed, every dynamic value escaped. */
import { DEFAULT_ACCENT, type Branding, type Question, type Wording } from '../config/schema.js';
import { fieldOf, optionsOf, scoreGroupOf, type QuestionAnswers } from '../domain/questionnaire.js';
import { COMMENT_MAX_LENGTH } from '../contracts/invitation.js';
import { html, type SafeHtml } from '../domain/html.js';
import { scaleOf, scoresPerRow, SCALES, type Metric } from '../domain/metric.js';
import { directionOf, fill, languageOf } from '../domain/wording.js';

/**
 * The scale's grid for each length: on a phone the rows of scoresPerRow (the second row starts one
 * column in, so the last score ends under the first row's last), one row from 40rem on. Every
 * target stays at least 44 px (2.75rem) in both directions at 360 px and above.
 */
function scaleGrid(): string {
  const lengths = [...new Set(Object.values(SCALES).map(({ min, max }) => max - min + 1))];
  const narrow: string[] = [];
  const wide: string[] = [];
  for (const n of lengths) {
    const perRow = scoresPerRow(n);
    narrow.push(`.n${n}{grid-template-columns:repeat(${perRow},minmax(0,1fr))}`);
    if (perRow < n) {
      narrow.push(`.n${n} label:nth-child(${perRow + 1}){grid-column-start:${2 * perRow - n + 1}}`);
      wide.push(
        `.n${n}{grid-template-columns:repeat(${n},minmax(0,1fr))}.n${n} label:nth-child(${perRow + 1}){grid-column-start:auto}`,
      );
    }
  }
  return `${narrow.join('\n')}\n@media (min-width:40rem){${wide.join('')}}`;
}

/**
 * Questions asked of some score groups only appear once a score of such a group is chosen, by
 * CSS alone (`:has`, no script). A browser without `:has` shows them all; the server keeps only
 * the answers the chosen score's group was asked (questionnaire.ts), so either way is correct.
 */
function askedByScore(): string {
  const rules: string[] = [];
  for (const metric of Object.keys(SCALES) as Metric[]) {
    for (const score of scaleOf(metric)) {
      rules.push(
        `form.m-${metric}:has(input[name=score][value="${score}"]:checked) .ask-${scoreGroupOf(metric, score)}{display:block}`,
      );
    }
  }
  return `@supports selector(:has(*)){.asks{display:none}\n${rules.join('\n')}}`;
}

/**
 * The one stylesheet of every page (the CSP allows styles from the app only, none inline), with
 * the brand's accent, whose contrast the config has checked.
 */
export function surveyStylesheet(branding: Branding = {}): string {
  const accent = branding.accentColor ?? DEFAULT_ACCENT;
  const onAccent = branding.accentTextColor ?? '#ffffff';
  return `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;background:#f4f4f5;color:#18181b;line-height:1.5}
main{max-width:42rem;margin:0 auto;padding:.5rem}
.card{background:#fff;border-radius:.75rem;padding:1rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
@media (min-width:30rem){main{padding:1.25rem}.card{padding:1.25rem}}
.brand{margin:0 0 .75rem;font-weight:700;font-size:1.0625rem}
.brand img{display:block;height:2.5rem;width:auto;max-width:12.5rem}
.about{margin:0 0 .5rem;color:#3f3f46}
h1,h2{font-size:1.1875rem;line-height:1.35;margin:0 0 .75rem}
fieldset{border:0;margin:0 0 .75rem;padding:0;min-width:0}
legend{padding:0;margin:0}
.end{margin:0;font-size:.875rem;color:#3f3f46}
.end.low{margin-bottom:.375rem}
.end.high{margin-top:.375rem;text-align:end}
.scale{display:grid;gap:.375rem}
${scaleGrid()}
.scale label{position:relative;display:block}
.scale input{position:absolute;inset:0;opacity:0;width:100%;height:100%;margin:0;cursor:pointer}
.scale span{display:flex;align-items:center;justify-content:center;min-height:3rem;border:2px solid ${accent};border-radius:.5rem;color:${accent};font-weight:700;font-size:1.0625rem}
.scale input:checked+span{background:${accent};border-color:${accent};color:${onAccent}}
.scale input:focus-visible+span{outline:3px solid #f59e0b;outline-offset:2px}
label.comment{display:block;font-weight:600;margin:.75rem 0 .375rem}
textarea{display:block;width:100%;min-height:4.5rem;padding:.5rem;border:2px solid #71717a;border-radius:.5rem;font:inherit}
textarea:focus-visible,button:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.follow-up{display:flex;gap:.625rem;align-items:center;min-height:2.75rem;margin-top:.5rem}
.follow-up input{flex:none;width:1.375rem;height:1.375rem;margin:0}
.send{position:sticky;bottom:0;background:#fff;margin-top:.75rem;padding:.5rem 0 .75rem;border-top:1px solid #e4e4e7}
.saved{margin:0 0 .5rem;font-size:.9375rem;color:#3f3f46}
button{width:100%;min-height:3rem;padding:.75rem;border:0;border-radius:.5rem;background:${accent};color:${onAccent};font:inherit;font-weight:600;font-size:1.0625rem;cursor:pointer}
.answered{border-inline-start:4px solid ${accent};padding:.25rem 0 .25rem .875rem;margin:0 0 1.25rem}
.answered h1{margin-bottom:.5rem}
.answered p{margin:0 0 .25rem}
.answered blockquote{margin:0 0 .5rem;white-space:pre-wrap;overflow-wrap:anywhere;color:#27272a}
.label{font-weight:600;font-size:.875rem;color:#3f3f46}
.q{margin:1rem 0 .75rem}
.q h2{font-size:1.0625rem;margin:0 0 .375rem}
.hint{margin:0 0 .375rem;font-size:.875rem;color:#3f3f46}
.option{display:flex;gap:.625rem;align-items:center;min-height:2.75rem}
.option input{flex:none;width:1.375rem;height:1.375rem;margin:0;accent-color:${accent}}
.option input:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
${askedByScore()}
.error{color:#b91c1c;font-weight:600}
`;
}

/** The default stylesheet (no branding), as the local server served it before branding existed. */
export const STYLESHEET = surveyStylesheet();

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

function layout(locale: string, title: string, body: SafeHtml, brand?: PageBrand): string {
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
    html`<h1>${wording.thanks}</h1>${expected ? html`<p class="contact-expected">${expected}</p>` : ''}`,
    brand,
  );
}

const MESSAGES = {
  en: {
    'invalid-link': [
      'This link does not work',
      'Please use the link from your survey email as it is.',
    ],
    closed: ['This survey has closed', 'Thank you all the same: we no longer take answers for it.'],
    'not-found': ['Survey not found', 'We could not find this survey.'],
    'bad-origin': ['Request refused', 'Please answer from the survey page itself.'],
    'too-many': ['Too many requests', 'Please wait a moment and try again.'],
    'too-large': ['Your answer is too long', 'Please shorten your comment and send it again.'],
    'answer-limit': [
      'Your answer is saved',
      'You have changed it several times already, so your latest answer stands. Thank you!',
    ],
    'server-error': ['Something went wrong', 'Please try again in a few minutes.'],
  },
  de: {
    'invalid-link': [
      'Dieser Link funktioniert nicht',
      'Bitte verwenden Sie den Link aus Ihrer Umfrage-E-Mail unverändert.',
    ],
    closed: [
      'Diese Umfrage ist beendet',
      'Trotzdem vielen Dank: Wir nehmen keine Antworten mehr entgegen.',
    ],
    'not-found': ['Umfrage nicht gefunden', 'Wir konnten diese Umfrage nicht finden.'],
    'bad-origin': ['Anfrage abgelehnt', 'Bitte antworten Sie direkt auf der Umfrageseite.'],
    'too-many': ['Zu viele Anfragen', 'Bitte warten Sie einen Moment und versuchen Sie es erneut.'],
    'too-large': [
      'Ihre Antwort ist zu lang',
      'Bitte kürzen Sie Ihren Kommentar und senden Sie ihn erneut.',
    ],
    'answer-limit': [
      'Ihre Antwort ist gespeichert',
      'Sie haben sie schon mehrmals geändert, daher gilt Ihre letzte Antwort. Vielen Dank!',
    ],
    'server-error': [
      'Etwas ist schiefgelaufen',
      'Bitte versuchen Sie es in ein paar Minuten erneut.',
    ],
  },
} as const;

export type ErrorKind = keyof (typeof MESSAGES)['en'];

/** The language of `locale` that `table` has (own keys only), else English. */
function languageIn<T extends { en: unknown }>(table: T, locale: string): keyof T & string {
  const language = languageOf(locale);
  return (Object.hasOwn(table, language) ? language : 'en') as keyof T & string;
}

/**
 * The local stack's start page (`/`): where to look next. Local only: on AWS the survey
 * endpoint's root stays a plain 404, as every unknown path.
 */
export function localStartPage(links: { mailbox: string; dashboard: string }): string {
  return layout(
    'en',
    'Afterword is running',
    html`<h1>Afterword is running</h1>
      <p>This is the local stack: the survey pages live here, under the links the emails carry.</p>
      <ul>
        <li><a href="${links.mailbox}">The mailbox</a>: every email the local SES has sent, surveys and owners' cases.</li>
        <li><a href="${links.dashboard}">The CX dashboard</a>: pick a user (a CX lead, or a program's owner) to sign in as; no password locally.</li>
        <li>Send an interaction: <code>npx afterword send test/fixtures/events/support-call.v1.json</code></li>
        <li>Every command: <code>npx afterword --help</code>; the guide: <code>README.md</code> in the repository.</li>
      </ul>`,
  );
}

export function errorPage(kind: ErrorKind, locale = 'en'): string {
  const language = languageIn(MESSAGES, locale);
  const [title, detail] = MESSAGES[language][kind];
  return layout(language, title, html`<h1>${title}</h1><p>${detail}</p>`);
}

const UNSUBSCRIBE = {
  en: {
    confirm: [
      'Unsubscribe from {brand} surveys?',
      'We will not send you any more survey emails.',
      'Unsubscribe',
    ],
    done: [
      'You are unsubscribed',
      'You will get no more survey emails from {brand}. Thank you for your time.',
    ],
  },
  de: {
    confirm: [
      'Von Umfragen von {brand} abmelden?',
      'Wir senden Ihnen keine Umfrage-E-Mails mehr.',
      'Abmelden',
    ],
    done: [
      'Sie sind abgemeldet',
      'Sie erhalten keine Umfrage-E-Mails mehr von {brand}. Danke für Ihre Zeit.',
    ],
  },
} as const;

function unsubscribeTexts(locale: string) {
  const language = languageIn(UNSUBSCRIBE, locale);
  return { language, texts: UNSUBSCRIBE[language] };
}

/** GET of an unsubscribe link: asks, records nothing (mail scanners follow links too). */
export function unsubscribePage(locale: string, brand: string, action: string): string {
  const { language, texts } = unsubscribeTexts(locale);
  const [title, detail, button] = texts.confirm;
  const heading = title.replace('{brand}', brand);
  return layout(
    language,
    heading,
    html`<form method="post" action="${action}"><h1>${heading}</h1><p>${detail}</p><button type="submit">${button}</button></form>`,
  );
}

export function unsubscribedPage(locale: string, brand: string): string {
  const { language, texts } = unsubscribeTexts(locale);
  const [title, detail] = texts.done;
  return layout(language, title, html`<h1>${title}</h1><p>${detail.replace('{brand}', brand)}</p>`);
}
