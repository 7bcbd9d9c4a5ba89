// `pnpm demo --devtools`: the built demo serves the devtools page; a headless chromium opens it,
// watches the team's run arrive, and the screenshot in docs/devtools.md is taken here.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import puppeteer, { type Browser } from 'puppeteer-core';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const entry = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const offline = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OPENAI_') && key !== 'TTA_MODEL_PROVIDER'));

function findChromium(): string | undefined {
  const found = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path): path is string => path !== undefined && existsSync(path));
  if (found !== undefined) return found;
  const message = 'chromium is not installed: the devtools demo test is SKIPPED (apt-get install chromium)';
  if (process.env['TTA_REQUIRE_SERVICES'] === '1') throw new Error(`${message}; TTA_REQUIRE_SERVICES=1 requires it`);
  console.warn(`\n!!! ${message}\n`);
  return undefined;
}

const chromium = findChromium();

describe.skipIf(chromium === undefined)('multi-agent demo with --devtools', () => {
  let demo: ChildProcess | undefined;
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    demo?.kill('SIGKILL');
  });

  it('prints the page URL, runs the team once the page is open, shows it live, and stops on Ctrl+C', async () => {
    const child = spawn(process.execPath, [entry, '--devtools', '--devtools-port', '0'], { cwd: root, env: offline, stdio: ['ignore', 'pipe', 'pipe'] });
    demo = child;
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no devtools URL printed: ${output}`)), 45_000);
      child.stdout!.on('data', () => {
        const match = /devtools: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32})/.exec(output);
        if (match === null) return;
        clearTimeout(timer);
        resolve(match[1]!);
      });
    });
    // Nothing runs until a browser has the page open.
    expect(output).not.toContain('== Answer ==');

    browser = await puppeteer.launch({ executablePath: chromium!, headless: true, args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-dev-shm-usage'] });
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 900 });
    const offLoopback: string[] = [];
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      const { hostname, protocol } = new URL(request.url());
      if (protocol === 'data:' || hostname === '127.0.0.1') return void request.continue();
      offLoopback.push(request.url());
      void request.abort();
    });
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => document.querySelector('#runs li')?.className.includes('state-ok'), { timeout: 30_000 });
    const names = await page.$$eval('#graph g.node .node-name', (nodes) => nodes.map((node) => node.textContent));
    expect(names).toEqual(expect.arrayContaining(['research-team', 'writer', 'research-lead', 'review-panel', 'critic-risk']));
    expect(await page.$eval('#graph g.node[data-name="research-team"]', (node) => node.getAttribute('class'))).toContain('state-ok');
    expect(offLoopback).toEqual([]);
    mkdirSync(new URL('../../../docs/', import.meta.url), { recursive: true });
    await page.screenshot({ path: fileURLToPath(new URL('../../../docs/devtools.png', import.meta.url)) as `${string}.png`, fullPage: true });

    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(output).toContain('== Answer ==');
    expect(output).toContain('(Ctrl+C to stop)');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    // A loaded machine starts the demo and the browser slowly: generous, still bounded.
  }, 120_000);
});
