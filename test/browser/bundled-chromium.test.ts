/**
 * The npm-shipped Chromium that the browser tests fall back on when a machine has no system
 * Chromium (a newcomer's laptop, a bare CI image): it must unpack, start with its own libraries and
 * fonts, and render and drive a page, whether or not this machine also has Debian's Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';

describe('the npm-shipped Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser('bundled');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('renders text in its own fonts and runs a form', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 640 } });
    await page.setContent(
      `<form onsubmit="event.preventDefault(); document.querySelector('output').value = 'sent ' + this.score.value">
         <label><input type="radio" name="score" value="9"> 9</label>
         <button>Send</button><output></output>
       </form>`,
    );
    await page.getByLabel('9').check();
    await page.getByRole('button', { name: 'Send' }).click();
    expect(await page.locator('output').textContent()).toBe('sent 9');
    // Glyphs came from a font: a button label has a real width, not a zero-width fallback.
    const box = await page.getByRole('button', { name: 'Send' }).boundingBox();
    expect(box?.width).toBeGreaterThan(20);
    expect(browser.version()).toMatch(/^\d+\./);
  });
});
