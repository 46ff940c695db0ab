/** Server-rendered survey pages: mobile-first, no JavaScript needed, every dynamic value escaped. */
import type { Wording } from '../config/schema.js';
import { COMMENT_MAX_LENGTH } from '../contracts/invitation.js';
import { html, type SafeHtml } from '../domain/html.js';
import { scaleOf, type Metric } from '../domain/metric.js';

export const STYLESHEET = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;background:#f4f4f5;color:#18181b;line-height:1.5}
main{max-width:40rem;margin:0 auto;padding:1.25rem}
.card{background:#fff;border-radius:.75rem;padding:1.25rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
h1{font-size:1.25rem;margin:0 0 1rem}
fieldset{border:0;margin:0 0 1rem;padding:0}
legend{font-weight:600;margin-bottom:.5rem}
.scale{display:grid;grid-template-columns:repeat(auto-fit,minmax(2.75rem,1fr));gap:.375rem}
.scale label{position:relative}
.scale input{position:absolute;opacity:0;width:100%;height:100%;margin:0;cursor:pointer}
.scale span{display:block;text-align:center;padding:.75rem 0;border:2px solid #71717a;border-radius:.5rem;font-weight:600;min-height:2.75rem}
.scale input:checked+span{background:#1d4ed8;border-color:#1d4ed8;color:#fff}
.scale input:focus-visible+span{outline:3px solid #f59e0b;outline-offset:2px}
.ends{display:flex;justify-content:space-between;font-size:.875rem;color:#3f3f46;margin-top:.25rem}
label.comment{display:block;font-weight:600;margin:1rem 0 .375rem}
textarea{width:100%;min-height:6rem;padding:.5rem;border:2px solid #71717a;border-radius:.5rem;font:inherit}
textarea:focus-visible,button:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
button{margin-top:1rem;width:100%;padding:.875rem;border:0;border-radius:.5rem;background:#1d4ed8;color:#fff;font:inherit;font-weight:600;font-size:1.0625rem;cursor:pointer}
.error{color:#b91c1c;font-weight:600}
.follow-up{display:flex;gap:.5rem;align-items:flex-start;margin-top:1rem}
.follow-up input{width:1.25rem;height:1.25rem;margin:.125rem 0 0}
`;

function layout(locale: string, title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<link rel="stylesheet" href="/assets/survey.css">
</head>
<body><main><div class="card">${body}</div></main></body>
</html>`.value;
}

export function surveyPage(input: {
  locale: string;
  wording: Wording;
  question: string;
  metric: Metric;
  action: string;
  selected?: number;
  comment?: string;
  followUp?: boolean;
  error?: string;
}): string {
  const { wording, metric, selected } = input;
  const scores = scaleOf(metric);
  return layout(
    input.locale,
    wording.subject,
    html`<form method="post" action="${input.action}">
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
<fieldset>
<legend><h1>${input.question}</h1></legend>
<div class="scale">
${scores.map(
  (score) =>
    html`<label><input type="radio" name="score" value="${score}" required${selected === score ? html` checked` : ''}><span>${score}</span></label>`,
)}
</div>
<div class="ends"><span>${scores[0]} = ${wording.lowLabel}</span><span>${scores.at(-1)} = ${wording.highLabel}</span></div>
</fieldset>
<label class="comment" for="comment">${wording.commentPrompt}</label>
<textarea id="comment" name="comment" maxlength="${COMMENT_MAX_LENGTH}">${input.comment ?? ''}</textarea>
${wording.followUpQuestion ? html`<label class="follow-up"><input type="checkbox" name="followUp" value="yes"${input.followUp ? html` checked` : ''}> ${wording.followUpQuestion}</label>` : ''}
<button type="submit">${wording.submit}</button>
</form>`,
  );
}

export function thankYouPage(locale: string, wording: Wording): string {
  return layout(locale, wording.thanks, html`<h1>${wording.thanks}</h1>`);
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
function languageOf<T extends { en: unknown }>(table: T, locale: string): keyof T & string {
  const language = locale.split('-')[0]!;
  return (Object.hasOwn(table, language) ? language : 'en') as keyof T & string;
}

export function errorPage(kind: ErrorKind, locale = 'en'): string {
  const language = languageOf(MESSAGES, locale);
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
  const language = languageOf(UNSUBSCRIBE, locale);
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
