/**
 * The survey email: mobile-first HTML with the rating scale inside (each score a signed link to the
 * page with that score preselected) and a plain-text part with the same content. Tables and inline
 * styles for the mail clients that matter, no script, dark-mode friendly; every value from an
 * event or the config is escaped.
 */
import { DEFAULT_ACCENT, type Branding } from './branding.js';
import type { Invitation } from '../contracts/invitation.js';
import type { Program } from './program.js';
import { html } from './html.js';
import { scaleOf, scoresPerRow } from './metric.js';
import { directionOf, fill, interactionLine, interactionValues, wordingFor } from './wording.js';

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

/** Longest encoded text per RFC 2047 encoded-word: 45 bytes make 60 base64 characters, 72 in all. */
const ENCODED_WORD_BYTES = 45;

/**
 * The From header SES sends: `"Display Name" <address>`. A name in plain ASCII is quoted (RFC 5322,
 * `"` and `\` escaped); any other is encoded as RFC 2047 UTF-8 encoded-words, as SES requires,
 * split on character boundaries. The address stays the bare configured one: the IAM condition
 * `ses:FromAddress` is checked against it.
 */
export function fromHeader(displayName: string, address: string): string {
  // Printable ASCII only may go into a quoted-string.
  if (/^[\u0020-\u007e]*$/.test(displayName)) {
    return `"${displayName.replace(/["\\]/g, (c) => `\\${c}`)}" <${address}>`;
  }
  const words: string[] = [];
  let chunk = '';
  for (const character of displayName) {
    if (Buffer.byteLength(chunk + character) > ENCODED_WORD_BYTES) {
      words.push(chunk);
      chunk = '';
    }
    chunk += character;
  }
  words.push(chunk);
  const encoded = words.map((word) => `=?UTF-8?B?${Buffer.from(word).toString('base64')}?=`);
  return `${encoded.join(' ')} <${address}>`;
}

/** The From of every survey email: the branding's sender name, else the brand, and the sender. */
export function surveySender(config: { brand: string; sender: string; branding: Branding }) {
  return fromHeader(config.branding.senderName ?? config.brand, config.sender);
}

export function renderSurveyEmail(input: {
  invitation: Invitation;
  program: Program;
  brand: string;
  branding?: Branding;
  token: string;
  unsubscribeToken: string;
  baseUrl: string;
  reminder?: boolean;
}): RenderedEmail {
  const { invitation, program, brand, token, baseUrl } = input;
  const branding = input.branding ?? {};
  const accent = branding.accentColor ?? DEFAULT_ACCENT;
  const { locale, wording } = wordingFor(program, invitation.locale);
  const dir = directionOf(locale);
  const [start, end] = dir === 'rtl' ? ['right', 'left'] : ['left', 'right'];
  const subject = input.reminder ? (wording.reminderSubject ?? wording.subject) : wording.subject;
  const unsubscribe = unsubscribeUrl(baseUrl, input.unsubscribeToken);
  const footer = fill(wording.footer, { brand }) ?? '';
  const question = fill(wording.question, { brand, touchpoint: invitation.touchpoint }) ?? '';
  const greeting = fill(wording.greeting, { name: invitation.name?.trim(), brand });
  const about = interactionLine(wording, interactionValues(invitation, locale, brand));
  const scores = scaleOf(program.metric);
  const links = scores.map((score) => ({ score, url: surveyUrl(baseUrl, token, score) }));
  const perRow = scoresPerRow(scores.length);
  const rows = [links.slice(0, perRow), links.slice(perRow)].filter((row) => row.length > 0);
  const cellWidth = `${Math.floor(10000 / perRow) / 100}%`;
  const low = `${scores[0]} = ${wording.lowLabel}`;
  const high = `${scores.at(-1)} = ${wording.highLabel}`;

  // Colours chosen to read in light and dark: the dark-mode block below takes over where the
  // client honours prefers-color-scheme; clients that invert colours themselves get neutral greys.
  const body = html`<!doctype html>
<html lang="${locale}" dir="${dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>${subject}</title>
<style>
:root{color-scheme:light dark;supported-color-schemes:light dark}
@media (prefers-color-scheme:dark){
.aw-bg{background:#18181b!important}
.aw-card{background:#27272a!important}
.aw-text{color:#f4f4f5!important}
.aw-muted{color:#d4d4d8!important}
.aw-score{background:#27272a!important;color:#f4f4f5!important;border-color:#d4d4d8!important}
}
</style>
</head>
<body class="aw-bg" style="margin:0;padding:0;background:#f4f4f5;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#18181b">
<table role="presentation" class="aw-bg" width="100%" cellpadding="0" cellspacing="0" lang="${locale}" dir="${dir}" style="background:#f4f4f5">
<tr><td align="center" style="padding:8px">
<table role="presentation" class="aw-card" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px">
<tr><td class="aw-text" align="${start}" style="padding:20px 16px 4px 16px;font-size:16px;line-height:1.5;color:#18181b">
${
  branding.logoUrl
    ? html`<img src="${branding.logoUrl}" alt="${brand}" height="40" style="display:block;height:40px;width:auto;max-width:200px;border:0;margin:0 0 16px 0">`
    : html`<p style="margin:0 0 16px 0;font-size:18px;font-weight:700">${brand}</p>`
}
${greeting ? html`<p style="margin:0 0 8px 0">${greeting}</p>` : ''}
${about ? html`<p class="aw-muted" style="margin:0 0 8px 0;color:#3f3f46">${about}</p>` : ''}
<p style="margin:0 0 12px 0;font-size:18px;font-weight:600">${question}</p>
</td></tr>
<tr><td style="padding:0 13px">
<p class="aw-muted" align="${start}" style="margin:0;padding:0 3px 6px 3px;font-size:14px;line-height:1.4;color:#3f3f46;text-align:${start}">${low}</p>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" dir="${dir}" style="table-layout:fixed">
${rows.map(
  (row, index) =>
    html`<tr>${Array.from(
      { length: index > 0 ? perRow - row.length : 0 },
      () => html`<td width="${cellWidth}" style="padding:3px"></td>`,
    )}${row.map(
      ({ score, url }) =>
        html`<td width="${cellWidth}" align="center" style="padding:3px"><a class="aw-score" href="${url}" aria-label="${score}" style="display:block;height:48px;line-height:48px;border:2px solid ${accent};border-radius:8px;background:#ffffff;color:${accent};text-decoration:none;font-size:18px;font-weight:700;text-align:center">${score}</a></td>`,
    )}</tr>`,
)}
</table>
<p class="aw-muted" align="${end}" style="margin:0;padding:6px 3px 0 3px;font-size:14px;line-height:1.4;color:#3f3f46;text-align:${end}">${high}</p>
</td></tr>
<tr><td class="aw-muted" align="${start}" style="padding:20px 16px 24px 16px;font-size:13px;line-height:1.5;color:#3f3f46">${footer} <a href="${unsubscribe}" class="aw-muted" style="color:#3f3f46">${wording.unsubscribe}</a></td></tr>
</table>
</td></tr>
</table>
</body>
</html>`;

  const text = [
    brand,
    '',
    ...(greeting ? [greeting] : []),
    ...(about ? [about] : []),
    ...(greeting || about ? [''] : []),
    question,
    `(${low}, ${high})`,
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
    headers: unsubscribeHeaders(unsubscribe),
  };
}

/** One-click unsubscribe (RFC 8058), as mailbox providers ask of bulk senders. */
export function unsubscribeHeaders(unsubscribe: string): RenderedEmail['headers'] {
  return [
    { name: 'List-Unsubscribe', value: `<${unsubscribe}>` },
    { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
  ];
}
