/**
 * The survey email: mobile-first HTML with the rating scale inside (each score a signed link to the
 * page with that score preselected) and a plain-text part. Every event-supplied value is escaped.
 */
import type { Program } from '../config/schema.js';
import type { Invitation } from '../contracts/invitation.js';
import { html } from './html.js';
import { scaleOf } from './metric.js';
import { fill, wordingFor } from './wording.js';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  locale: string;
  /** RFC 2369 / RFC 8058 one-click unsubscribe, so mail clients offer it and providers trust us. */
  headers: { name: string; value: string }[];
}

export function unsubscribeUrl(baseUrl: string, token: string): string {
  return new URL(`/u/${token}`, baseUrl).toString();
}

export function surveyUrl(baseUrl: string, token: string, score?: number): string {
  const url = new URL(`/s/${token}`, baseUrl);
  if (score !== undefined) url.searchParams.set('score', String(score));
  return url.toString();
}

export function renderSurveyEmail(input: {
  invitation: Invitation;
  program: Program;
  brand: string;
  token: string;
  unsubscribeToken: string;
  baseUrl: string;
  reminder?: boolean;
}): RenderedEmail {
  const { invitation, program, brand, token, baseUrl } = input;
  const { locale, wording } = wordingFor(program, invitation.locale);
  const subject = input.reminder ? (wording.reminderSubject ?? wording.subject) : wording.subject;
  const unsubscribe = unsubscribeUrl(baseUrl, input.unsubscribeToken);
  const footer = fill(wording.footer, { brand });
  const question = fill(wording.question, { brand });
  const greeting = invitation.name ? fill(wording.greeting, { name: invitation.name }) : undefined;
  const scores = scaleOf(program.metric);
  const links = scores.map((score) => ({ score, url: surveyUrl(baseUrl, token, score) }));
  const cellWidth = Math.floor(100 / scores.length);

  const body = html`<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${subject}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f5;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#18181b">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5">
<tr><td align="center" style="padding:16px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px">
<tr><td style="padding:24px 20px 8px 20px;font-size:16px;line-height:1.5">
${greeting ? html`<p style="margin:0 0 12px 0">${greeting}</p>` : ''}
<p style="margin:0 0 16px 0;font-size:18px;font-weight:600">${question}</p>
</td></tr>
<tr><td style="padding:0 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr>
${links.map(
  ({ score, url }) =>
    html`<td width="${cellWidth}%" align="center" style="padding:2px"><a href="${url}" style="display:block;padding:12px 0;border:1px solid #a1a1aa;border-radius:6px;color:#18181b;text-decoration:none;font-size:16px;font-weight:600" aria-label="${score}">${score}</a></td>`,
)}
</tr></table>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr>
<td style="padding:6px 2px;font-size:12px;color:#52525b">${wording.lowLabel}</td>
<td align="right" style="padding:6px 2px;font-size:12px;color:#52525b">${wording.highLabel}</td>
</tr></table>
</td></tr>
<tr><td style="padding:16px 20px 24px 20px;font-size:12px;line-height:1.5;color:#52525b">${footer} <a href="${unsubscribe}" style="color:#52525b">${wording.unsubscribe}</a></td></tr>
</table>
</td></tr>
</table>
</body>
</html>`;

  const text = [
    ...(greeting ? [greeting, ''] : []),
    question,
    `(${scores[0]} = ${wording.lowLabel}, ${scores.at(-1)} = ${wording.highLabel})`,
    '',
    ...links.map(({ score, url }) => `${score}: ${url}`),
    '',
    footer,
    `${wording.unsubscribe}: ${unsubscribe}`,
  ].join('\n');

  return {
    subject,
    html: body.value,
    text,
    locale,
    headers: [
      { name: 'List-Unsubscribe', value: `<${unsubscribe}>` },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ],
  };
}
