/**
 * Browser support for the web tests: Debian's chromium (test/support/browser.ts) driven by playwright-core (never a downloaded
 * browser), one page per test with every console error and page error recorded, closed in t.after. Tests skip,
 * saying why, where Chromium or the built dashboard (packages/web/dist) is missing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WEB_DIST } from '@antiphase/server';
import { CHROMIUM, chromiumMissing, recordPageErrors } from '../support/browser.js';

/** Why the browser tests cannot run here, or null. */
export function skipReason(): string | null {
  if (chromiumMissing) return chromiumMissing;
  if (!existsSync(join(WEB_DIST, 'index.html'))) return `${WEB_DIST} is not built (npm run build): browser tests skipped`;
  return null;
}

export interface OpenPage {
  page: Page;
  browser: Browser;
  /** Console errors and uncaught exceptions seen so far. */
  errors: string[];
}

/** Chromium's flags for the web tests: audio without a gesture, a fake microphone that is granted without a prompt. */
export const DEFAULT_ARGS = ['--autoplay-policy=no-user-gesture-required', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--no-sandbox'];

export async function openPage(t: { after(fn: () => unknown): void }, url: string, args: string[] = DEFAULT_ARGS): Promise<OpenPage> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = recordPageErrors(page);
  await page.goto(url);
  return { page, browser, errors };
}

/** Registers through the login form (the first account of a fresh server is its admin) and waits for the dashboard. */
export async function registerThroughPage(page: Page, email: string, password = 'correct horse battery'): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Register' }).click();
  await page.getByRole('heading', { name: 'Live sessions' }).waitFor();
}
