/**
 * Real-browser test support: Debian's headless Chromium driven by playwright-core (never `playwright install`), and
 * a page that runs code bundled from our own sources with esbuild. The page is served at the service's own origin
 * (playwright answers one path on it), so the page's fetches and peer connections go to the real service without
 * CORS and without adding a test route to the server.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.ANTIPHASE_CHROMIUM ?? '/usr/bin/chromium';
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `false` when Chromium is installed, else the reason to pass as a test's `skip` option. */
export const chromiumMissing: false | string = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM} (install Debian's chromium or set ANTIPHASE_CHROMIUM): the browser tests need a real browser`;

/** Flags that let WebRTC work headless on loopback (../shared/ECOSYSTEM.md) and a fake microphone. */
export const WEBRTC_FLAGS = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
];

export async function launchChromium(t: { after(fn: () => unknown): void }, extraArgs: string[] = []): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...WEBRTC_FLAGS, ...extraArgs] });
  t.after(() => browser.close());
  return browser;
}

/** Bundles `source` (TypeScript, imports resolved from the repository root, browser conditions) to one ES module. */
export async function bundleForBrowser(source: string): Promise<string> {
  const result = await build({
    stdin: { contents: source, resolveDir: REPO_ROOT, loader: 'ts', sourcefile: 'browser-test-entry.ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

export interface BrowserPage {
  page: Page;
  /** Console errors and uncaught exceptions seen so far: a test asserts there are none. */
  errors: string[];
}

/** Console errors and uncaught exceptions of `page`, collected from now on (a test asserts there are none). */
export function recordPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

/** Opens a page at `origin`/__antiphase-test/ that runs `script` as a module. */
export async function openTestPage(browser: Browser, origin: string, script: string): Promise<BrowserPage> {
  const page = await browser.newPage();
  const errors = recordPageErrors(page);
  const base = `${origin}/__antiphase-test/`;
  await page.route(`${base}**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path.endsWith('/main.js')) return route.fulfill({ contentType: 'text/javascript', body: script });
    return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>antiphase test</title><script type="module" src="main.js"></script>' });
  });
  await page.goto(`${base}index.html`);
  await page.waitForFunction(() => (globalThis as { antiphaseReady?: boolean }).antiphaseReady === true);
  return { page, errors };
}
