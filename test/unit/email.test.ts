import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load.js';
import type { Invitation } from '../../lib/contracts/invitation.js';
import { fromHeader, renderSurveyEmail, surveySender } from '../../lib/domain/email.js';

const config = loadConfig();
const BRANDED_RTL = fileURLToPath(
  new URL('../fixtures/config/branded-rtl.config.json', import.meta.url),
);
const branded = loadConfig(BRANDED_RTL);
const program = (touchpoint: string) => config.programs.find((p) => p.touchpoint === touchpoint)!;

const invitation: Invitation = {
  invitationId: 'inv1',
  interactionId: 'call-1',
  payloadHash: 'h',
  status: 'sending',
  customerId: 'c-1',
  email: 'ada@example.com',
  name: 'Ada',
  touchpoint: 'support-call',
  channel: 'phone',
  locale: 'en-GB',
  timeZone: 'Europe/London',
  occurredAt: '2026-11-23T09:15:00.000Z',
  decidedAt: '2026-11-23T09:15:01.000Z',
};

const render = (overrides: Partial<Invitation> = {}, touchpoint = 'support-call') =>
  renderSurveyEmail({
    invitation: { ...invitation, touchpoint, ...overrides },
    program: program(touchpoint),
    brand: config.brand,
    token: 'k1.inv1.1796031631.sig',
    unsubscribeToken: 'k1.inv1.1830000000.unsub',
    baseUrl: 'https://survey.example',
  });

describe('survey email', () => {
  it('puts the whole rating scale in the email, each score a link with that score preselected', () => {
    const email = render();
    for (let score = 0; score <= 10; score++) {
      expect(email.html).toContain(
        `href="https://survey.example/s/k1.inv1.1796031631.sig?score=${score}"`,
      );
      expect(email.text).toContain(
        `${score}: https://survey.example/s/k1.inv1.1796031631.sig?score=${score}`,
      );
    }
    expect(email.html).toContain('name="viewport"');
    expect(email.text).toContain('How likely are you to recommend Acme');
  });

  it('uses the scale of the metric: 1–5 for CSAT, 1–7 for CES', () => {
    expect(render({}, 'order-delivered').text.match(/^\d+: /gm)).toHaveLength(5);
    expect(render({}, 'chat-closed').text.match(/^\d+: /gm)).toHaveLength(7);
  });

  it("speaks the customer's language, falling back from de-AT to de and from fr to en", () => {
    expect(render({ locale: 'de-AT' })).toMatchObject({
      locale: 'de',
      subject: 'Wie war Ihr Anruf bei uns?',
    });
    expect(render({ locale: 'fr-FR' })).toMatchObject({
      locale: 'en',
      subject: 'How did we do on your call?',
    });
  });

  it('escapes a hostile name so it can never become markup', () => {
    const email = render({ name: '<img src=x onerror=alert(1)>"&' });
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&amp;');
  });

  it('offers one-click unsubscribe in the headers (RFC 8058), the HTML and the text', () => {
    const email = render();
    expect(email.headers).toEqual([
      { name: 'List-Unsubscribe', value: '<https://survey.example/u/k1.inv1.1830000000.unsub>' },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
    expect(email.html).toContain('href="https://survey.example/u/k1.inv1.1830000000.unsub"');
    expect(email.text).toContain('Unsubscribe: https://survey.example/u/k1.inv1.1830000000.unsub');
    expect(render({ locale: 'de-DE' }).html).toContain('>Abmelden</a>');
  });

  it('carries no tracking pixel: no image without a logo, and the logo is the same for everyone', () => {
    expect(render().html).not.toMatch(/<img/i);
    const forAda = renderBranded({ locale: 'en-GB' });
    const forGrace = renderBranded({ locale: 'en-GB', name: 'Grace', invitationId: 'inv2' });
    const images = (html: string) =>
      [...html.matchAll(/<img [^>]*src="([^"]+)"/g)].map((m) => m[1]);
    expect(images(forAda.html)).toEqual(['https://assets.acme.example/logo.png']);
    expect(images(forGrace.html)).toEqual(images(forAda.html));
  });

  it('says it is a reminder in the subject of the reminder', () => {
    const reminder = renderSurveyEmail({
      invitation,
      program: program('support-call'),
      brand: config.brand,
      token: 't.t.1.t',
      unsubscribeToken: 'u.u.1.u',
      baseUrl: 'https://survey.example',
      reminder: true,
    });
    expect(reminder.subject).toBe('A quick reminder: how did we do on your call?');
  });

  it('escapes hostile attributes and names in the text part too, where they stay plain text', () => {
    const email = render({ name: 'Ada\r\nBcc: victim@example.com' });
    expect(email.subject).toBe('How did we do on your call?');
    expect(email.headers.every((h) => !h.value.includes('victim'))).toBe(true);
  });

  it('leaves out the greeting when the name is unknown or blank, rather than "Hi {name}"', () => {
    for (const name of [undefined, '', '   ']) {
      const email = render({ name });
      expect(email.html).not.toContain('{name}');
      expect(email.html).not.toContain('Hi ');
      expect(email.text).not.toMatch(/Hi|\{name\}|undefined/);
      expect(email.text).toContain('How likely');
    }
  });
});

const renderBranded = (overrides: Partial<Invitation> = {}) =>
  renderSurveyEmail({
    invitation: {
      ...invitation,
      attributes: { agent: 'Sam <b>&amp;</b>' },
      ...overrides,
    },
    program: branded.programs[0]!,
    brand: branded.brand,
    branding: branded.branding,
    token: 'k1.inv1.1796031631.sig',
    unsubscribeToken: 'k1.inv1.1830000000.unsub',
    baseUrl: 'https://survey.example',
  });

/** RFC 2047 B-encoded words back to text, as a mail client shows them. */
const decodeWords = (header: string) =>
  header.replace(/=\?UTF-8\?B\?([^?]*)\?=\s*/g, (_m, b64: string) =>
    Buffer.from(b64, 'base64').toString('utf8'),
  );

describe('a sender the customer recognises', () => {
  it('sends from the brand by name, the address part the bare configured sender', () => {
    expect(surveySender(config)).toBe('"Acme Customer Care" <surveys@acme.example>');
    const unbranded = { ...config, branding: {} };
    expect(surveySender(unbranded)).toBe('"Acme" <surveys@acme.example>');
  });

  it('quotes a plain-ASCII display name, escaping quotes and backslashes (RFC 5322)', () => {
    expect(fromHeader('Acme, "Care" \\ Team', 'a@acme.example')).toBe(
      '"Acme, \\"Care\\" \\\\ Team" <a@acme.example>',
    );
  });

  it('encodes a non-ASCII display name as RFC 2047 encoded-words that decode to the name', () => {
    const from = surveySender(branded);
    expect(from).toMatch(/^(=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= ?)+ <surveys@acme\.example>$/);
    expect(decodeWords(from.replace(/ <[^>]+>$/, ''))).toBe('Acme · خدمة العملاء');
    expect(from).toMatch(/^[\x20-\x7e]+$/);
  });

  it('splits a long name into encoded-words of at most 75 characters, never inside a character', () => {
    const name = 'Müller & Söhne Kundenservice für Bestellungen und Lieferungen – Team Süd';
    const from = fromHeader(name, 'a@acme.example');
    const words = from.replace(/ <[^>]+>$/, '').split(' ');
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) expect(word.length).toBeLessThanOrEqual(75);
    expect(decodeWords(from.replace(/ <[^>]+>$/, ''))).toBe(name);
  });
});

describe('the brand and the interaction in the email', () => {
  it('shows the brand: its name without a logo, its logo (alt: the name) when configured', () => {
    expect(render().html).toMatch(/<p [^>]*font-weight:700">Acme<\/p>/);
    expect(renderBranded().html).toMatch(
      /<img src="https:\/\/assets\.acme\.example\/logo\.png" alt="Acme" height="40"/,
    );
    expect(render().text.split('\n')[0]).toBe('Acme');
  });

  it('draws the scores in the accent colour of the config', () => {
    expect(render().html).toContain('border:2px solid #1d4ed8');
    expect(renderBranded().html).toContain('border:2px solid #0f766e;');
    expect(renderBranded().html).toContain('color:#0f766e;');
  });

  it("names the interaction in one line: the day in the customer's zone and language", () => {
    // 23:30 UTC on Monday is already Tuesday in Berlin.
    const late = { occurredAt: '2026-11-23T23:30:00.000Z', timeZone: 'Europe/Berlin' };
    const english = render({ ...late, locale: 'en-GB' });
    expect(english.html).toContain('About your call with us on Tuesday 24 November.');
    expect(english.text).toContain('About your call with us on Tuesday 24 November.');
    const german = render({ ...late, locale: 'de-DE' });
    expect(german.text).toContain('Zu Ihrem Anruf bei uns am Dienstag, 24. November.');
    expect(render({ ...late, locale: 'en-US' }).text).toContain('on Tuesday, November 24.');
  });

  it('fills named attributes escaped, and falls back to the next line when one is missing', () => {
    const email = renderBranded();
    expect(email.html).toContain('About your call with Sam &lt;b&gt;&amp;amp;&lt;/b&gt; on Monday');
    expect(email.text).toContain('About your call with Sam <b>&amp;</b> on Monday 23 November.');
    for (const attributes of [undefined, {}, { agent: null }, { agent: '' }, { agent: true }]) {
      const fallback = renderBranded({ attributes });
      expect(fallback.text).toContain('About your call with us on Monday 23 November.');
      const body = fallback.html.replace(/<style>[\s\S]*?<\/style>/, '');
      expect(body + fallback.text).not.toMatch(/undefined|null|\{|\}/);
    }
  });

  it('uses the first line that can be filled, and an order number as written', () => {
    const order = (attributes?: Invitation['attributes']) =>
      render({ touchpoint: 'order-delivered', attributes }, 'order-delivered').text;
    expect(order({ orderId: 4411 })).toContain(
      'About order 4411, delivered on Monday 23 November.',
    );
    expect(order({ orderId: 'A-77\r\nBcc: x' })).toContain('About order A-77 Bcc: x, delivered');
    expect(order()).toContain('About your order, delivered on Monday 23 November.');
  });

  it('leaves the line out when no line can be filled, rather than print a gap', () => {
    const program = structuredClone(branded.programs[0]!);
    program.wording.en!.interaction = 'About order {attributes.orderId}.';
    const email = renderSurveyEmail({
      invitation,
      program,
      brand: 'Acme',
      token: 't.t.1.t',
      unsubscribeToken: 'u.u.1.u',
      baseUrl: 'https://survey.example',
    });
    expect(email.text).not.toContain('About');
    expect(email.html).not.toContain('About');
  });
});

describe('the email on a phone, in dark mode and right to left', () => {
  it('splits 0–10 into two rows, 0–5 and 6–10, with the labels at the two ends', () => {
    const rows = [...render().html.matchAll(/<tr>(.*?)<\/tr>/gs)]
      .map((row) => [...row[1]!.matchAll(/aria-label="(\d+)"/g)].map((m) => Number(m[1])))
      .filter((scores) => scores.length > 0);
    expect(rows).toEqual([
      [0, 1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10],
    ]);
    const html = render().html;
    expect(html.indexOf('0 = Not at all likely')).toBeLessThan(html.indexOf('score=0'));
    expect(html.indexOf('10 = Extremely likely')).toBeGreaterThan(html.indexOf('score=10'));
  });

  it('keeps a 1–5 scale in one row and splits 1–7 into 1–4 and 5–7', () => {
    const rowsOf = (touchpoint: string) =>
      [...render({}, touchpoint).html.matchAll(/<tr>(.*?)<\/tr>/gs)]
        .map((row) => [...row[1]!.matchAll(/aria-label="(\d+)"/g)].length)
        .filter((count) => count > 0);
    expect(rowsOf('order-delivered')).toEqual([5]);
    expect(rowsOf('chat-closed')).toEqual([4, 3]);
  });

  it('declares light and dark colour schemes and restyles itself for dark mode, with no script', () => {
    const { html } = render();
    expect(html).toContain('<meta name="color-scheme" content="light dark">');
    expect(html).toContain('@media (prefers-color-scheme:dark){');
    expect(html).toContain('.aw-card{background:#27272a!important}');
    expect(html).toMatch(/<table [^>]*class="aw-card"/);
    expect(html).not.toMatch(/<script|javascript:|\son\w+=/i);
  });

  it('writes Arabic right to left, with lang and dir on the page and on its outer table', () => {
    const email = renderBranded({ locale: 'ar-EG', name: 'ليلى' });
    expect(email.locale).toBe('ar');
    expect(email.html).toMatch(/<html lang="ar" dir="rtl">/);
    expect(email.html).toMatch(/<table [^>]*lang="ar" dir="rtl"/);
    expect(email.subject).toBe('كيف كانت مكالمتك معنا؟');
    expect(email.text).toContain('مرحبًا ليلى،');
    expect(email.text).toContain('بخصوص مكالمتك مع Sam <b>&amp;</b> يوم');
    expect(render().html).toMatch(/<html lang="en" dir="ltr">/);
  });
});
