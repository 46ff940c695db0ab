import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load.js';
import type { Invitation } from '../../lib/contracts/invitation.js';
import { renderSurveyEmail } from '../../lib/domain/email.js';

const config = loadConfig();
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

  it('carries no tracking pixel and no remote images', () => {
    expect(render().html).not.toMatch(/<img/i);
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

  it('leaves out the greeting when the name is unknown, rather than "Hi {name}"', () => {
    const email = render({ name: undefined });
    expect(email.html).not.toContain('{name}');
    expect(email.text.startsWith('How likely')).toBe(true);
  });
});
