/**
 * Headless Chromium driven by playwright-core; screenshots go to test-artifacts/.
 *
 * A system Chromium is used when there is one (CHROMIUM_PATH, or Debian's), else the one shipped
 * in an npm package, so the browser tests need nothing beyond `npm ci`.
 * AFTERWORD_TEST_BROWSER=bundled forces the npm one (to try a bare machine's path on any machine).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { bundledChromium } from './bundled-chromium.js';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

export type BrowserSource = 'system' | 'bundled';

export function systemChromiumPath(): string | undefined {
  if (process.env.AFTERWORD_TEST_BROWSER === 'bundled') return undefined;
  return process.env.CHROMIUM_PATH ?? CANDIDATES.find((candidate) => existsSync(candidate));
}

export async function launchBrowser(
  source: BrowserSource = systemChromiumPath() ? 'system' : 'bundled',
): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const system = source === 'system' ? systemChromiumPath() : undefined;
  if (source === 'system' && !system) throw new Error('no system Chromium: set CHROMIUM_PATH');
  const bundled = system ? undefined : await bundledChromium();
  return chromium.launch({
    executablePath: system ?? bundled!.executablePath,
    env: { ...process.env, ...bundled?.env },
    // No sandbox as root in CI; no background traffic to hosts this machine cannot reach.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
