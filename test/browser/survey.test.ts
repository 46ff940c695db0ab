/**
 * The answer experience in a real browser (Debian's Chromium through playwright-core): open the
 * email from the SES emulator, tap a score at 360, 390 and 1280 px, confirm, comment, open the
 * link again, unsubscribe; a branded right-to-left survey. Layout is asserted from the rendered
 * boxes (tap targets, rows, overflow, what is in view). Screenshots are saved in test-artifacts/.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invitationIdFor } from '../../lib/domain/ids.js';
import { DEFAULT_CONFIG_PATH } from '../../lib/config/load.js';
import type { LocalStack } from '../../lib/local/stack.js';
import { ARTIFACTS, launchBrowser } from '../support/browser.js';
import { scoreLinks, startTestStack, waitForEmails } from '../support/harness.js';

const phone = (width: number, height: number): BrowserContextOptions => ({
  viewport: { width, height },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
});
/** The small phone the page must work on without scrolling to its button. */
const PHONE_360 = phone(360, 640);
const PHONE = phone(390, 844);
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } };
const SIZES = [
  ['360', PHONE_360],
  ['390', PHONE],
  ['1280', DESKTOP],
] as const;

/** The usual minimum tap target (WCAG 2.5.5, Apple and Google guidance), in CSS pixels. */
const TAP_TARGET_PX = 44;

const BRANDED_RTL = fileURLToPath(
  new URL('../fixtures/config/branded-rtl.config.json', import.meta.url),
);

interface Box {
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where the browser drew every element the selector finds, relative to the viewport. */
function boxesOf(page: Page, selector: string): Promise<Box[]> {
  return page.locator(selector).evaluateAll((elements) =>
    elements.map((element) => {
      const { x, y, width, height } = element.getBoundingClientRect();
      return { text: element.textContent?.trim() ?? '', x, y, width, height };
    }),
  );
}

function expectTapSized(boxes: Box[], count: number) {
  expect(boxes).toHaveLength(count);
  for (const box of boxes) {
    expect(
      Math.min(box.width, box.height),
      `"${box.text}" is ${box.width}×${box.height}`,
    ).toBeGreaterThanOrEqual(TAP_TARGET_PX);
  }
}

/** The boxes' texts row by row, top to bottom, each row in the order it reads on screen. */
function rowsOf(boxes: Box[], direction: 'ltr' | 'rtl' = 'ltr'): string[][] {
  const rows = new Map<number, Box[]>();
  for (const box of boxes) {
    const top = [...rows.keys()].find((y) => Math.abs(y - box.y) < box.height / 2) ?? box.y;
    rows.set(top, [...(rows.get(top) ?? []), box]);
  }
  return [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, row]) =>
      row.sort((a, b) => (direction === 'ltr' ? a.x - b.x : b.x - a.x)).map((box) => box.text),
    );
}

async function expectNoHorizontalOverflow(page: Page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(
    scrollWidth,
    `the page is ${scrollWidth} px wide in a ${innerWidth} px viewport`,
  ).toBeLessThanOrEqual(innerWidth);
}

/** Whether the element is drawn inside the viewport as the page first shows, without scrolling. */
async function inFirstView(page: Page, selector: string): Promise<boolean> {
  return page.locator(selector).evaluate((element) => {
    const box = element.getBoundingClientRect();
    return (
      window.scrollY === 0 &&
      box.top >= 0 &&
      box.bottom <= window.innerHeight &&
      box.left >= 0 &&
      box.right <= window.innerWidth
    );
  });
}

/** An interaction through the bus, and its email from the emulator. */
async function surveyEmail(
  stack: LocalStack,
  {
    locale = 'en-GB',
    name = 'Ada',
    attributes,
  }: { locale?: string; name?: string; attributes?: Record<string, string> } = {},
) {
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
            ...(attributes ? { attributes } : {}),
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

const shot = (page: Page, name: string, fullPage = true) =>
  page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });

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

  async function openEmail(context: BrowserContextOptions, html: string): Promise<Page> {
    const page = await (await browser.newContext(context)).newPage();
    page.on('dialog', (dialog) => {
      throw new Error(`a script ran and opened a dialog: ${dialog.message()}`);
    });
    await page.setContent(html);
    return page;
  }

  for (const [size, context] of SIZES) {
    it(`takes an answer at ${size} px: tap-sized scores in the email and on the page, the notice and button in view, the answer shown again`, async () => {
      const { message, invitationId } = await surveyEmail(stack);
      const page = await openEmail(context, message.body.html!);
      await shot(page, `email-${size}`);
      // The email: 0–5 over 6–10, every score a full tap target, nothing wider than the screen.
      const emailScores = await boxesOf(page, 'a[href*="?score="]');
      expectTapSized(emailScores, 11);
      expect(rowsOf(emailScores)).toEqual([
        ['0', '1', '2', '3', '4', '5'],
        ['6', '7', '8', '9', '10'],
      ]);
      const last = emailScores.find((box) => box.text === '10')!;
      expect(last.x + last.width).toBeCloseTo(emailScores[5]!.x + emailScores[5]!.width, 0);
      await expectNoHorizontalOverflow(page);

      await page.getByRole('link', { name: '9', exact: true }).click();
      await page.waitForURL(/\/s\//);
      await expect
        .poll(() => page.getByRole('radio', { name: '9', exact: true }).isChecked())
        .toBe(true);
      expect(await stack.runtime.invitations.get(invitationId)).toMatchObject({ status: 'sent' });
      await shot(page, `survey-${size}`, false);

      // The page: one row of 11 on a desktop, 0–5 over 6–10 on a phone; labels at the two ends.
      const scale = await boxesOf(page, '.scale label');
      expectTapSized(scale, 11);
      expect(rowsOf(scale)).toEqual(
        size === '1280'
          ? [['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']]
          : [
              ['0', '1', '2', '3', '4', '5'],
              ['6', '7', '8', '9', '10'],
            ],
      );
      const [low] = await boxesOf(page, '.end.low');
      const [high] = await boxesOf(page, '.end.high');
      const ten = scale.find((box) => box.text === '10')!;
      expect(low!.y + low!.height).toBeLessThanOrEqual(scale[0]!.y);
      expect(high!.y).toBeGreaterThanOrEqual(ten.y + ten.height);
      expect(high!.x + high!.width).toBeCloseTo(ten.x + ten.width, 0);
      const [followUp] = await boxesOf(page, 'label.follow-up');
      expect(followUp!.height).toBeGreaterThanOrEqual(TAP_TARGET_PX);
      await expectNoHorizontalOverflow(page);

      // Nothing is saved yet, and the page says so next to a button the customer can see.
      const notice = page.getByText('Your answer is saved only when you press “Send my answer”.');
      expect(await notice.isVisible()).toBe(true);
      expect(await inFirstView(page, '.saved')).toBe(true);
      expect(await inFirstView(page, 'button[type="submit"]')).toBe(true);
      const [button] = await boxesOf(page, 'button[type="submit"]');
      expect(button!.height).toBeGreaterThanOrEqual(TAP_TARGET_PX);

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

      // The same link again: the answer given, and the form to change it, prefilled.
      const link = new URL(scoreLinks(message).get(9)!);
      await page.goto(`${link.origin}${link.pathname}`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(
        /^You answered 9 on \w+day \d{1,2} \w+\.$/,
      );
      expect(await page.locator('blockquote').textContent()).toBe('Quick and kind <b>thanks</b>');
      expect(await page.getByRole('heading', { name: 'Change your answer' }).isVisible()).toBe(
        true,
      );
      expect(await page.getByRole('radio', { name: '9', exact: true }).isChecked()).toBe(true);
      expectTapSized(await boxesOf(page, '.scale label'), 11);
      expect(await inFirstView(page, 'button[type="submit"]')).toBe(true);
      await expectNoHorizontalOverflow(page);
      await shot(page, `answered-${size}`, false);
      expect(await stack.runtime.invitations.get(invitationId)).toMatchObject({ answerCount: 1 });
      await page.context().close();
    });
  }

  it('works with the keyboard alone, and every control has a label', async () => {
    const { message, invitationId } = await surveyEmail(stack);
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
    await page.keyboard.press('Tab'); // the reason, asked of passives: its first option
    await page.keyboard.press('ArrowDown'); // the second option, chosen
    await page.keyboard.press('Tab'); // "Was your issue resolved?": its first option
    await page.keyboard.press('Space');
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
      answers: { reason: 'not-resolved', resolved: 'yes' },
    });
    await page.context().close();
  });

  it('speaks German to a German customer', async () => {
    const { message } = await surveyEmail(stack, { locale: 'de-DE', name: 'Grete' });
    const page = await openEmail(PHONE, message.body.html!);
    await page.getByRole('link', { name: '10', exact: true }).click();
    await page.waitForURL(/\/s\//);
    expect(await page.getAttribute('html', 'lang')).toBe('de');
    expect(await page.getByRole('button').textContent()).toBe('Antwort senden');
    expect(
      await page
        .getByText('Ihre Antwort wird erst gespeichert, wenn Sie auf „Antwort senden“ tippen.')
        .isVisible(),
    ).toBe(true);
    await shot(page, 'survey-de-phone');
    await page.context().close();
  });

  it('takes the questionnaire on a phone by keyboard, in German, the reason shown only to a low score', async () => {
    const { message, invitationId } = await surveyEmail(stack, { locale: 'de-DE', name: 'Grete' });
    const page = await openEmail(PHONE, message.body.html!);
    await page.getByRole('link', { name: '10', exact: true }).click();
    await page.waitForURL(/\/s\//);
    const reason = page.getByRole('group', { name: 'Was hat Sie am meisten enttäuscht?' });
    const resolved = page.getByRole('group', { name: 'Wurde Ihr Anliegen gelöst?' });
    // A promoter is not asked why they were disappointed; everyone is asked if it was resolved.
    expect(await reason.isVisible()).toBe(false);
    expect(await resolved.isVisible()).toBe(true);
    await page.getByRole('radio', { name: '10', exact: true }).focus();
    for (let i = 0; i < 7; i++) await page.keyboard.press('ArrowLeft'); // down to 3
    expect(await page.getByRole('radio', { name: '3', exact: true }).isChecked()).toBe(true);
    await expect.poll(() => reason.isVisible()).toBe(true);
    expectTapSized(await boxesOf(page, 'label.option'), 9);
    await expectNoHorizontalOverflow(page);
    await page.keyboard.press('Tab'); // the reason's first option
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab'); // "resolved": its first option
    await page.keyboard.press('ArrowDown'); // "Teilweise"
    await page.keyboard.press('Tab'); // the comment
    await page.keyboard.type('Zu lange gewartet');
    await shot(page, 'questionnaire-de-phone');
    await page.getByRole('button', { name: 'Antwort senden' }).focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(async () => (await stack.runtime.invitations.get(invitationId))?.answers)
      .toEqual({ reason: 'waiting-time', resolved: 'partly' });
    expect(await stack.runtime.invitations.get(invitationId)).toMatchObject({
      score: 3,
      comment: 'Zu lange gewartet',
    });
    await page.context().close();
  });

  it('unsubscribes from the email link in two taps, and the GET alone changes nothing', async () => {
    const { message, customerId } = await surveyEmail(stack);
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
    const { message, invitationId } = await surveyEmail(stack, {
      name: '<img src=x onerror=alert(1)>',
    });
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

/** A stand-in for the brand's logo host, which this machine cannot reach. */
const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" rx="6" fill="#0f766e"/><text x="60" y="27" font-size="20" text-anchor="middle" fill="#fff">ACME</text></svg>';

describe('a branded, right-to-left survey in Chromium', () => {
  let stack: LocalStack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startTestStack('browser-rtl', { configPath: BRANDED_RTL });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function brandedContext(options: BrowserContextOptions) {
    const context = await browser.newContext(options);
    await context.route('https://assets.acme.example/**', (route) =>
      route.fulfill({ contentType: 'image/svg+xml', body: LOGO_SVG }),
    );
    return context;
  }

  for (const [size, options] of SIZES.slice(0, 2)) {
    it(`reads right to left at ${size} px: the email from the brand by name, its logo, 0 at the right`, async () => {
      const { message } = await surveyEmail(stack, {
        locale: 'ar-EG',
        name: 'ليلى',
        attributes: { agent: 'Sam' },
      });
      // The From a mail client shows: the configured name, decoded from RFC 2047.
      const [encoded, address] = message.from.split(/ (?=<)/);
      const displayName = encoded!.replace(/=\?UTF-8\?B\?([^?]*)\?=\s*/g, (_m, b64: string) =>
        Buffer.from(b64, 'base64').toString('utf8'),
      );
      expect(displayName).toBe('Acme · خدمة العملاء');
      expect(address).toBe('<surveys@acme.example>');

      const page = await (await brandedContext(options)).newPage();
      await page.setContent(message.body.html!);
      expect(await page.getAttribute('html', 'dir')).toBe('rtl');
      const logo = page.getByRole('img', { name: 'Acme' });
      await expect
        .poll(() => logo.evaluate((img) => (img as HTMLImageElement).naturalWidth))
        .toBe(120);
      expect(await page.getByText('بخصوص مكالمتك مع Sam يوم').isVisible()).toBe(true);
      const scores = await boxesOf(page, 'a[href*="?score="]');
      expectTapSized(scores, 11);
      expect(rowsOf(scores, 'rtl')).toEqual([
        ['0', '1', '2', '3', '4', '5'],
        ['6', '7', '8', '9', '10'],
      ]);
      await expectNoHorizontalOverflow(page);
      await shot(page, `email-rtl-${size}`);

      await page.getByRole('link', { name: '7', exact: true }).click();
      await page.waitForURL(/\/s\//);
      expect(await page.getAttribute('html', 'dir')).toBe('rtl');
      expect(await page.getAttribute('html', 'lang')).toBe('ar');
      // The page's CSP lets the logo's origin, and only it, load images.
      await expect
        .poll(() =>
          page
            .getByRole('img', { name: 'Acme' })
            .evaluate((img) => (img as HTMLImageElement).naturalWidth),
        )
        .toBe(120);
      const scale = await boxesOf(page, '.scale label');
      expectTapSized(scale, 11);
      expect(rowsOf(scale, 'rtl')).toEqual([
        ['0', '1', '2', '3', '4', '5'],
        ['6', '7', '8', '9', '10'],
      ]);
      expect(scale[0]!.x).toBeGreaterThan(scale[1]!.x);
      expect(
        await page.getByText('لا تُحفظ إجابتك إلا عند الضغط على «أرسل إجابتي».').isVisible(),
      ).toBe(true);
      expect(await inFirstView(page, 'button[type="submit"]')).toBe(true);
      await expectNoHorizontalOverflow(page);
      await shot(page, `survey-rtl-${size}`, false);
      await page.context().close();
    });
  }
});

describe('the review invitation in Chromium (issue 21)', () => {
  const DESTINATION = 'https://reviews.example.com/acme';
  let stack: LocalStack;
  let browser: Browser;

  beforeAll(async () => {
    // the example config, with support calls' promoters invited to review in English
    const config = JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')) as {
      programs: { touchpoint: string; review?: unknown }[];
    };
    config.programs.find((p) => p.touchpoint === 'support-call')!.review = {
      destinations: { en: DESTINATION },
    };
    const configPath = join(mkdtempSync(join(tmpdir(), 'afterword-review-')), 'config.json');
    writeFileSync(configPath, JSON.stringify(config));
    stack = await startTestStack('browser-review', { configPath });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('invites a promoter on a phone to review, a full tap target in view, and the tap sets off for the review site', async () => {
    const { message, invitationId } = await surveyEmail(stack);
    const page = await (await browser.newContext(PHONE_360)).newPage();
    await page.setContent(message.body.html!);
    await page.getByRole('link', { name: '10', exact: true }).click();
    await page.waitForURL(/\/s\//);
    await page.getByRole('button', { name: 'Send my answer' }).click();
    const invite = page.getByRole('link', { name: 'Write a review' });
    await expect.poll(() => invite.isVisible()).toBe(true);
    expect(await page.getByText('Would you share your experience with others?').isVisible()).toBe(
      true,
    );
    expect(await inFirstView(page, '.review-link')).toBe(true);
    const [link] = await boxesOf(page, '.review-link');
    expect(link!.height).toBeGreaterThanOrEqual(TAP_TARGET_PX);
    expect(link!.width).toBeGreaterThanOrEqual(TAP_TARGET_PX);
    await expectNoHorizontalOverflow(page);
    // it links to the survey's own redirect, never straight to the site
    expect(await invite.getAttribute('href')).toMatch(/^\/r\//);
    await shot(page, 'thanks-review-phone');

    // The review site is not reachable from here (and a route cannot answer a redirect's target):
    // the browser setting off for exactly the configured destination is the proof.
    const [request] = await Promise.all([page.waitForRequest(DESTINATION), invite.click()]);
    expect(request.isNavigationRequest()).toBe(true);
    expect(request.redirectedFrom()?.url()).toMatch(/\/r\//);
    await expect
      .poll(async () => (await stack.runtime.invitations.get(invitationId))?.reviewClickedAt)
      .toBeDefined();
    await page.context().close();
  });

  it('does not invite a detractor', async () => {
    const { message } = await surveyEmail(stack);
    const page = await (await browser.newContext(PHONE)).newPage();
    await page.setContent(message.body.html!);
    await page.getByRole('link', { name: '2', exact: true }).click();
    await page.waitForURL(/\/s\//);
    await page.getByRole('button', { name: 'Send my answer' }).click();
    await expect
      .poll(() => page.getByRole('heading', { name: 'Thank you!' }).isVisible())
      .toBe(true);
    expect(await page.locator('.review').count()).toBe(0);
    await page.context().close();
  });
});
