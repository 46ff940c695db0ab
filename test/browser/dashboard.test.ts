/**
 * The CX dashboard in a real browser (Debian's Chromium through playwright-core), on the local
 * stack: signing in through the in-process OpenID Connect provider, filtering, drilling down to
 * answers and a customer's timeline, exporting, signing out; readable on a phone. Screenshots are
 * saved in test-artifacts/.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../lib/local/demo.js';
import type { LocalStack } from '../../lib/local/stack.js';
import { rollup } from '../../lib/usecases/rollup.js';
import { ARTIFACTS, launchBrowser } from '../support/browser.js';
import { startTestStack } from '../support/harness.js';

describe('the CX dashboard in Chromium', () => {
  let stack: LocalStack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startTestStack('dashboard', { instant: false, dispatchIntervalMs: 3_600_000 });
    stack.runtime.config.sending.maxSendRate = 1000;
    browser = await launchBrowser();
    const now = new Date();
    await runDemo(stack.runtime, { days: 10, now, seed: 11 });
    await rollup(stack.runtime, { now, days: 12 });
    // Ten days of demo traffic through the real stack: minutes on a loaded 2-core machine.
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** Opens the dashboard, signing in as `user` on the local provider's page. */
  async function signIn(context: BrowserContext, user: string, path = '/dashboard'): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${stack.urls.web}${path}`);
    expect(new URL(page.url()).origin).toBe(stack.urls.oidc); // sent to sign in
    await page.getByRole('button', { name: new RegExp(user) }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/dashboard'));
    return page;
  }

  it('signs a CX lead in, shows every touchpoint, filters, drills down, exports and signs out', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signIn(context, 'CX lead', '/dashboard?range=28d');
    expect(new URL(page.url()).search).toBe('?range=28d'); // back where it started
    expect(await page.locator('svg polygon.band').count()).toBe(3);
    expect(await page.locator('svg polyline.rate').count()).toBe(3);
    expect(await page.locator('figure figcaption').first().textContent()).toMatch(/^Score,/);
    expect(await page.locator('h2').allTextContents()).toEqual(
      expect.arrayContaining([
        'chat-closed · CES (% agree it was easy)',
        'order-delivered · CSAT (% satisfied)',
        'support-call · NPS',
      ]),
    );
    expect(await page.locator('.on-target, .below-target').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-desktop.png'), fullPage: true });

    // Filter by a touchpoint and a channel with the form (a GET: a URL to share).
    await page.getByLabel('Touchpoint').selectOption('support-call');
    await page.getByLabel('Channel').selectOption('phone');
    await page.getByRole('button', { name: 'Apply' }).click();
    const filtered = new URL(page.url());
    expect(filtered.searchParams.get('touchpoint')).toBe('support-call');
    expect(filtered.searchParams.get('channel')).toBeTruthy();
    expect(await page.locator('section[id]').count()).toBe(1);

    // Drill down to the answers, then to a customer's timeline.
    await page.getByRole('link', { name: /^All answers and comments/ }).click();
    expect(await page.locator('h1').textContent()).toBe('Answers and comments');
    const answers = await page.locator('table tr').count();
    expect(answers).toBeGreaterThan(1);
    await page.getByRole('link', { name: 'timeline' }).first().click();
    expect(await page.locator('h1').textContent()).toBe('Customer timeline');
    expect(await page.locator('td', { hasText: 'answered' }).count()).toBeGreaterThan(0);

    // Export exactly what is shown.
    await page.goto(`${stack.urls.web}/dashboard?${filtered.searchParams.toString()}`);
    const download = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'CSV', exact: true }).click(),
    ]).then(([d]) => d);
    expect(download.suggestedFilename()).toMatch(/^afterword-.*\.csv$/);

    // Sign out (at the provider too); the dashboard asks to sign in again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    const confirm = page.getByRole('button', { name: /yes|sign me out|sign out/i });
    if (await confirm.count()) await confirm.first().click();
    await page.waitForURL((url) => url.pathname === '/dashboard/auth/signed-out');
    const again = await page.goto(`${stack.urls.web}/dashboard`);
    expect(new URL(again!.url()).origin).toBe(stack.urls.oidc);
    await context.close();
  }, 120_000);

  it("shows an owner their own touchpoint only, and another's answers are refused", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signIn(context, 'Support team lead');
    expect(await page.locator('section[id]').count()).toBe(1);
    expect(await page.locator('section[id="support-call"]').count()).toBe(1);
    const refused = await page.goto(
      `${stack.urls.web}/dashboard/answers?range=28d&touchpoint=order-delivered`,
    );
    expect(refused?.status()).toBe(403);
    await context.close();
  }, 60_000);

  it("lets an owner resolve a case from their queue with a root cause, and keeps others' cases from them", async () => {
    await stack.bus.idle(); // the demo's follow-up requests, through the bus to the follow-up function
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
    });
    const page = await signIn(context, 'Support team lead', '/dashboard/cases');
    expect(await page.locator('h1').textContent()).toBe('Follow-up cases');
    const rows = page.locator('table tr', { hasText: 'support-call' });
    expect(await rows.count()).toBeGreaterThan(0);
    expect(await page.locator('table tr', { hasText: 'order-delivered' }).count()).toBe(0);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'cases-queue-phone.png'), fullPage: true });

    await rows
      .first()
      .getByRole('link', { name: /open case/ })
      .click();
    const casePath = new URL(page.url()).pathname;
    expect(casePath).toMatch(/^\/dashboard\/cases\//);
    await page.getByLabel('Root cause').selectOption('other');
    await page.locator('#note-resolved').fill('Called back; the line was down that day.');
    await page.getByRole('button', { name: 'Resolve' }).click();
    expect(await page.getByRole('status').textContent()).toBe('Saved: case resolved.');
    expect(await page.locator('h2').first().textContent()).toMatch(/resolved/);
    expect(await page.locator('dd', { hasText: 'other' }).count()).toBe(1);
    expect(await page.getByText('Called back; the line was down that day.').count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'case-resolved-phone.png'), fullPage: true });

    // How the loop closes for their touchpoint: the case just resolved counts, with its cause.
    await page.goto(`${stack.urls.web}/dashboard/follow-up?days=90`);
    expect(await page.locator('h1').textContent()).toBe('How the loop closes');
    const supportRow = page.locator('table tr', { hasText: 'support-call' });
    expect(await supportRow.count()).toBe(1);
    expect(await supportRow.textContent()).toMatch(/other \d+/);
    expect(await page.locator('table tr', { hasText: 'order-delivered' }).count()).toBe(0);

    // Another owner's case is not theirs to see.
    const others = await stack.runtime.cases.opened('2000-01-01', '2100-01-01');
    const foreign = others.find((c) => c.touchpoint !== 'support-call');
    if (foreign) {
      const refused = await page.goto(`${stack.urls.web}/dashboard/cases/${foreign.invitationId}`);
      expect(refused?.status()).toBe(403);
    }
    await context.close();
  }, 120_000);

  it('reads on a 390 px phone without sideways scrolling', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    });
    const page = await signIn(context, 'CX lead');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-phone.png'), fullPage: true });
    await context.close();
  }, 60_000);
});
