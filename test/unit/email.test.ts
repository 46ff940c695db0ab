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

  it('leaves out the greeting when the name is unknown, rather than "Hi {name}"', () => {
    const email = render({ name: undefined });
    expect(email.html).not.toContain('{name}');
    expect(email.text.startsWith('How likely')).toBe(true);
  });
});
