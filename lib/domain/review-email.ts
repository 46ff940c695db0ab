/**
 * The review programme's one follow-up email (issue 21, review.ts): to a happy customer who did
 * not follow the thank-you page's invitation, a while later. Short, in the survey's language, with
 * the same signed review link and the same one-click unsubscribe as the survey email.
 */
import { DEFAULT_ACCENT, type Branding } from './branding.js';
import type { Invitation } from '../contracts/invitation.js';
import type { Program } from './program.js';
import { html } from './html.js';
import { unsubscribeHeaders, unsubscribeUrl, type RenderedEmail } from './email.js';
import { directionOf, fill, languageIn, wordingFor } from './wording.js';
import { REVIEW_BUTTON } from './review.js';

/** Built-in texts; a locale's wording may replace each (`reviewEmailSubject`, `reviewEmailText`). */
const TEXTS = {
  en: {
    subject: 'Would you share your experience with {brand}?',
    text: 'Thank you again for your answer. If you have a minute, others would value hearing about your experience: it is up to you, and this is the only time we ask.',
    button: REVIEW_BUTTON.en,
  },
  de: {
    subject: 'Möchten Sie Ihre Erfahrung mit {brand} teilen?',
    text: 'Nochmals vielen Dank für Ihre Antwort. Wenn Sie eine Minute haben, hilft Ihre Erfahrung anderen: Es ist ganz Ihnen überlassen, und wir fragen nur dieses eine Mal.',
    button: REVIEW_BUTTON.de,
  },
} as const;

export function renderReviewEmail(input: {
  invitation: Invitation;
  program: Program;
  brand: string;
  branding?: Branding;
  /** The signed redirect (`/r/<token>`), absolute. */
  reviewUrl: string;
  unsubscribeToken: string;
  baseUrl: string;
}): RenderedEmail {
  const { invitation, program, brand, reviewUrl } = input;
  const accent = input.branding?.accentColor ?? DEFAULT_ACCENT;
  const { locale, wording } = wordingFor(program, invitation.locale);
  const builtIn = TEXTS[languageIn(TEXTS, locale)];
  const dir = directionOf(locale);
  const start = dir === 'rtl' ? 'right' : 'left';
  const subject = fill(wording.reviewEmailSubject ?? builtIn.subject, { brand }) ?? '';
  const text = fill(wording.reviewEmailText ?? builtIn.text, { brand }) ?? '';
  const button = wording.reviewButton ?? builtIn.button;
  const greeting = fill(wording.greeting, { name: invitation.name?.trim(), brand });
  const footer = fill(wording.footer, { brand }) ?? '';
  const unsubscribe = unsubscribeUrl(input.baseUrl, input.unsubscribeToken);
  const body = html`<!doctype html>
<html lang="${locale}" dir="${dir}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>${subject}</title></head>
<body style="margin:0;padding:0;background:#f4f4f5;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#18181b">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5"><tr><td align="center" style="padding:8px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px">
<tr><td align="${start}" style="padding:20px 16px 8px 16px;font-size:16px;line-height:1.5">
<p style="margin:0 0 16px 0;font-size:18px;font-weight:700">${brand}</p>
${greeting ? html`<p style="margin:0 0 8px 0">${greeting}</p>` : ''}
<p style="margin:0 0 16px 0">${text}</p>
<a href="${reviewUrl}" style="display:block;min-height:48px;line-height:48px;border:2px solid ${accent};border-radius:8px;color:${accent};text-decoration:none;font-weight:600;text-align:center">${button}</a>
</td></tr>
<tr><td align="${start}" style="padding:20px 16px 24px 16px;font-size:13px;line-height:1.5;color:#3f3f46">${footer} <a href="${unsubscribe}" style="color:#3f3f46">${wording.unsubscribe}</a></td></tr>
</table></td></tr></table>
</body>
</html>`;
  return {
    subject,
    html: body.value,
    text: [
      brand,
      '',
      ...(greeting ? [greeting, ''] : []),
      text,
      '',
      `${button}: ${reviewUrl}`,
      '',
      footer,
      `${wording.unsubscribe}: ${unsubscribe}`,
    ].join('\n'),
    locale,
    headers: unsubscribeHeaders(unsubscribe),
  };
}
