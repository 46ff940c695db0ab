/**
 * The answer experience in a real browser (Debian's Chromium through playwright-core): open the
 * email from the SES emulator, tap a score at phone and desktop sizes, confirm, comment,
 * unsubscribe. Screenshots are saved in test-artifacts/.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invitationIdFor } from '../../lib/domain/ids.js';
import type { LocalStack } from '../../lib/local/stack.js';
import { ARTIFACTS, launchBrowser } from '../support/browser.js';
import { startTestStack, waitForEmails } from '../support/harness.js';

const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
};
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } };

describe('the survey in Chromium', () => {
  let stack: LocalStack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startTestStack('browser');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** An interaction through the bus, and its email from the emulator. */
  async function surveyEmail(locale = 'en-GB', name = 'Ada') {
    const interactionId = `browser-${randomUUID()}`;
    const email = `${interactionId}@example.com`;
    const client = new EventBridgeClient({
      endpoint: stack.urls.bus,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'afterword',
            Source: 'crm.calls',
            DetailType: 'Interaction Completed',
            Detail: JSON.stringify({
              interactionId,
              occurredAt: new Date().toISOString(),
              touchpoint: 'support-call',
              channel: 'phone',
              customer: { id: `c-${interactionId}`, email, name, locale },
            }),
          },
        ],
      }),
    );
    client.destroy();
    const [message] = await waitForEmails(email, 1);
    return {
      message: message!,
      invitationId: invitationIdFor('crm.calls', interactionId),
      customerId: `c-${interactionId}`,
    };
  }

  async function openEmail(context: BrowserContextOptions, html: string): Promise<Page> {
    const page = await (await browser.newContext(context)).newPage();
    page.on('dialog', (dialog) => {
      throw new Error(`a script ran and opened a dialog: ${dialog.message()}`);
    });
    await page.setContent(html);
    return page;
  }

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  for (const [size, context] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`takes an answer on a ${size}: tap a score in the email, confirm, comment`, async () => {
      const { message, invitationId } = await surveyEmail();
      const page = await openEmail(context, message.body.html!);
      await shot(page, `email-${size}`);
      await page.getByRole('link', { name: '9', exact: true }).click();
      await page.waitForURL(/\/s\//);
      await expect
        .poll(() => page.getByRole('radio', { name: '9', exact: true }).isChecked())
        .toBe(true);
      expect(await stack.runtime.invitations.get(invitationId)).toMatchObject({ status: 'sent' });
      await shot(page, `survey-${size}`);

      await page
        .getByLabel('What is the main reason for your score? (optional)')
        .fill('Quick and kind <b>thanks</b>');
      await page.getByRole('button', { name: 'Send my answer' }).click();
      await expect
        .poll(() => page.getByRole('heading').first().textContent())
        .toContain('Thank you!');
      await shot(page, `thanks-${size}`);
      expect(await stack.runtime.invitations.get(invitationId)).toMatchObject({
        status: 'answered',
        score: 9,
        comment: 'Quick and kind <b>thanks</b>',
      });
      await page.context().close();
    });
  }

  it('works with the keyboard alone, and every control has a label', async () => {
    const { message, invitationId } = await surveyEmail();
    const page = await openEmail(DESKTOP, message.body.html!);
    await page.getByRole('link', { name: '6', exact: true }).click();
    await page.waitForURL(/\/s\//);
    const unlabelled = await page.$$eval(
      'input, textarea, button',
      (controls) =>
        controls.filter((control) => {
          const labelled =
            (control as HTMLInputElement).labels?.length ||
            control.getAttribute('aria-label') ||
            control.textContent?.trim();
          return !labelled;
        }).length,
    );
    expect(unlabelled).toBe(0);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.getByRole('radio', { name: '6', exact: true }).focus();
    await page.keyboard.press('ArrowRight'); // the radio group moves the choice to 7
    await page.keyboard.press('Tab'); // the comment
    await page.keyboard.type('Keyboard only');
    await page.keyboard.press('Tab'); // the follow-up tick
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab'); // the button
    await shot(page, 'keyboard-focus');
    await page.keyboard.press('Enter');
    await expect
      .poll(async () => (await stack.runtime.invitations.get(invitationId))?.score)
      .toBe(7);
    expect(await stack.runtime.invitations.get(invitationId)).toMatchObject({
      comment: 'Keyboard only',
      followUp: true,
    });
    await page.context().close();
  });

  it('speaks German to a German customer', async () => {
    const { message } = await surveyEmail('de-DE', 'Grete');
    const page = await openEmail(PHONE, message.body.html!);
    await page.getByRole('link', { name: '10', exact: true }).click();
    await page.waitForURL(/\/s\//);
    expect(await page.getAttribute('html', 'lang')).toBe('de');
    expect(await page.getByRole('button').textContent()).toBe('Antwort senden');
    await shot(page, 'survey-de-phone');
    await page.context().close();
  });

  it('unsubscribes from the email link in two taps, and the GET alone changes nothing', async () => {
    const { message, customerId } = await surveyEmail();
    const page = await openEmail(PHONE, message.body.html!);
    await page.getByRole('link', { name: 'Unsubscribe' }).click();
    await page.waitForURL(/\/u\//);
    expect((await stack.runtime.contacts.get(customerId)).optedOutAt).toBeUndefined();
    await shot(page, 'unsubscribe-phone');
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await expect.poll(() => page.getByRole('heading').textContent()).toBe('You are unsubscribed');
    await shot(page, 'unsubscribed-phone');
    expect((await stack.runtime.contacts.get(customerId)).optedOutAt).toBeDefined();
    await page.context().close();
  });

  it('runs no script from a hostile name or comment', async () => {
    const { message, invitationId } = await surveyEmail('en-GB', '<img src=x onerror=alert(1)>');
    const page = await openEmail(DESKTOP, message.body.html!);
    expect(await page.locator('img').count()).toBe(0);
    await page.getByRole('link', { name: '2', exact: true }).click();
    await page.waitForURL(/\/s\//);
    await page
      .getByLabel('What is the main reason for your score? (optional)')
      .fill('<script>alert(1)</script>');
    await page.getByRole('button', { name: 'Send my answer' }).click();
    await expect
      .poll(async () => (await stack.runtime.invitations.get(invitationId))?.status)
      .toBe('answered');
    await page.context().close();
  });
});
