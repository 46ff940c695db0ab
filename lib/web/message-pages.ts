/**
 * The pages that only say something: errors (in the customer's language where known), the local
 * start page, and unsubscribing.
 */
import { html } from '../domain/html.js';
import { languageIn } from '../domain/wording.js';
import { layout } from './pages.js';

export const MESSAGES = {
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

export { languageIn } from '../domain/wording.js';

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

export const UNSUBSCRIBE = {
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

export function unsubscribeTexts(locale: string) {
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
