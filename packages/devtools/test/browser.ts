import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const candidates = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * Debian's `chromium`, or undefined (with a loud message) when it is missing. With
 * TTA_REQUIRE_SERVICES=1 a missing browser throws, so CI cannot skip the browser tests by accident.
 */
export function findChromium(): string | undefined {
  const found = candidates.find((candidate): candidate is string => candidate !== undefined && existsSync(candidate));
  if (found !== undefined) return found;
  const message = 'chromium is not installed: the browser tests are SKIPPED (apt-get install chromium)';
  if (process.env['TTA_REQUIRE_SERVICES'] === '1') throw new Error(`${message}; TTA_REQUIRE_SERVICES=1 requires it`);
  console.warn(`\n!!! ${message}\n`);
  return undefined;
}

/** Starts headless chromium (one per test file). */
export function launchChromium(executablePath: string): Promise<Browser> {
  return puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'],
  });
}

/**
 * A page whose every request is checked: one to any host but loopback is aborted and recorded in
 * `offLoopback`, so a test can assert that the page needs nothing from the network.
 */
export async function loopbackOnlyPage(browser: Browser): Promise<{ page: Page; requested: string[]; offLoopback: string[] }> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  const requested: string[] = [];
  const offLoopback: string[] = [];
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = request.url();
    requested.push(url);
    const { protocol, hostname } = new URL(url);
    if (protocol === 'data:' || hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]') return void request.continue();
    offLoopback.push(url);
    void request.abort();
  });
  return { page, requested, offLoopback };
}
