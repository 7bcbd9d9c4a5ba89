import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { retry, step, fallback, SequentialPrimitive } from '@tta/primitives';
import { durable, MemoryRunStore, waitFor } from '@tta/durable';
import { startDevtools, type DevtoolsServer } from '@tta/devtools';
import { findChromium, launchChromium, loopbackOnlyPage } from './browser.js';

const chromium = findChromium();
const hostileName = '<img src=x onerror="window.__xss=1">';

// A step whose finish the test controls, to see it running and then ok on the same page.
let release: (() => void) | undefined;
const gated = new SequentialPrimitive<string, string>([
  step('prepare', async (input: string) => input),
  step('wait-for-approval', (input: string) => new Promise<string>((resolve) => (release = () => resolve(input)))),
  step('ship', async (input: string) => `${input}:shipped`),
], { name: 'approval-flow' });
const failing = new SequentialPrimitive<string, string>([
  step('load', async (input: string) => input),
  step('call-provider', async () => {
    throw new Error('provider said no', { cause: new Error('connection reset by peer') });
  }),
], { name: 'failing-flow' });
let flaky = 0;
const hostile = new SequentialPrimitive<string, string>([
  step(hostileName, async (input: string) => input),
  retry(
    step('flaky-call', async (input: string) => {
      if (++flaky % 2 === 1) throw new Error('flaky');
      return input;
    }),
    { maxAttempts: 3, initialDelayMs: 1 },
  ),
  fallback(step('primary-model', async (): Promise<string> => {
    throw new Error('primary down');
  }), [step('backup-model', async () => 'backup answer')]),
], { name: 'hostile-flow' });

const payouts = durable(
  new SequentialPrimitive<number, string>(
    [
      step('quote', async (amount: number) => ({ amount, note: '<b>bold?</b>' })),
      waitFor<{ amount: number }, { approved: boolean }>('approval'),
      step('payout', async (answer: { approved: boolean }) => (answer.approved ? 'paid' : 'refused')),
    ],
    { name: 'payout-flow' },
  ),
  { name: 'payouts', store: new MemoryRunStore() },
);

describe.skipIf(chromium === undefined)('the devtools page in headless chromium', () => {
  let browser: Browser;
  let server: DevtoolsServer;
  let page: Page;
  let offLoopback: string[];
  let requested: string[];

  beforeAll(async () => {
    browser = await launchChromium(chromium!);
    server = await startDevtools({ workflows: { 'approval-flow': gated, 'failing-flow': failing, 'hostile-flow': hostile, payouts }, port: 0 });
    ({ page, offLoopback, requested } = await loopbackOnlyPage(browser));
    // Each wait fails well inside the test's own timeout, so a failure says what it waited for.
    page.setDefaultTimeout(8000);
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForSelector('#status.live');
    await server.waitForBrowser();
    // Marks this document: a reload would lose it.
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const nodeClass = (name: string): Promise<string | null> =>
    page.evaluate((wanted) => [...document.querySelectorAll('#graph g.node')].find((node) => (node as SVGGElement).dataset['name'] === wanted)?.getAttribute('class') ?? null, name);

  const selectWorkflow = async (name: string): Promise<void> => {
    await page.click(`button.workflow[data-workflow="${name}"]`);
    await page.waitForSelector(`#workflows li.selected button[data-workflow="${name}"]`);
    await page.waitForSelector('#graph g.node');
  };

  it('lists the workflows and draws each one with its step names', async () => {
    const workflows = await page.$$eval('button.workflow', (buttons) => buttons.map((button) => button.textContent));
    expect(workflows).toEqual(['approval-flow', 'failing-flow', 'hostile-flow', 'payouts']);
    const names = await page.$$eval('#graph g.node .node-name', (nodes) => nodes.map((node) => node.textContent));
    expect(names).toEqual(['approval-flow', 'prepare', 'wait-for-approval', 'ship']);
  });

  it('shows a run live: a step turns running, then the whole graph green, without a reload', async () => {
    await selectWorkflow('approval-flow');
    const run = gated.run('order-7');
    await page.waitForFunction(() => document.querySelector('#graph g.node[data-name="wait-for-approval"]')?.getAttribute('class')?.includes('state-running'));
    expect(await nodeClass('prepare')).toContain('state-ok');
    expect(await nodeClass('ship')).toContain('state-idle');
    release!();
    await run;
    await page.waitForFunction(() => document.querySelector('#graph g.node[data-name="ship"]')?.getAttribute('class')?.includes('state-ok'));
    expect(await nodeClass('approval-flow')).toContain('state-ok');
    expect(await page.$eval('#runs li', (item) => item.className)).toContain('state-ok');
    expect(await page.$$eval('.waterfall .bar-row', (rows) => rows.map((row) => row.querySelector('.bar-name')!.textContent))).toEqual([
      'approval-flow',
      'prepare',
      'wait-for-approval',
      'ship',
    ]);
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  });

  it("shows a failure's message and its cause chain, and the failed step in red", async () => {
    await selectWorkflow('failing-flow');
    await expect(failing.run('x')).rejects.toThrow('provider said no');
    await page.waitForSelector('.cause-chain li');
    const chain = await page.$$eval('.cause-chain li', (items) => items.map((item) => item.textContent));
    expect(chain).toEqual(['Error: provider said no', 'Error: connection reset by peer']);
    expect(await nodeClass('call-provider')).toContain('state-failed');
  });

  it('shows a hostile step name as text, and retries and fallbacks on the nodes', async () => {
    await selectWorkflow('hostile-flow');
    await hostile.run('hello');
    await page.waitForFunction(() => document.querySelector('#runs li')?.className.includes('state-ok'));
    const names = await page.$$eval('#graph g.node .node-name', (nodes) => nodes.map((node) => node.textContent));
    expect(names).toContain(hostileName);
    expect(await page.$$('img')).toHaveLength(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    const stats = await page.$$eval('#graph g.node', (nodes) => Object.fromEntries(nodes.map((node) => [(node as SVGGElement).dataset['name'], node.querySelector('.node-stats')!.textContent])));
    expect(stats['flaky-call']).toContain('2 attempts');
    expect(Object.entries(stats).find(([name]) => name?.startsWith('fallback'))?.[1]).toContain('1 fallback');
  });

  it('lists a suspended durable run with its payload and resumes it through the form', async () => {
    await selectWorkflow('payouts');
    expect((await payouts.start(250, { runId: 'payout-1' })).status).toBe('suspended');
    const form = 'form.resume[data-run-id="payout-1"]';
    await page.waitForSelector(form);
    expect(await page.$eval(`${form} .payload`, (node) => node.textContent)).toContain('"amount":250');
    expect(await page.$$('b')).toHaveLength(0);
    await page.type(`${form} textarea`, '{"approved": tru');
    await page.click(`${form} button[type="submit"]`);
    await page.waitForFunction((selector) => document.querySelector(`${selector} .resume-message`)?.textContent?.startsWith('Not valid JSON'), {}, form);
    expect((await payouts.inspect('payout-1'))?.status).toBe('suspended');
    await page.$eval(`${form} textarea`, (node) => ((node as HTMLTextAreaElement).value = ''));
    await page.type(`${form} textarea`, '{"approved": true}');
    await page.click(`${form} button[type="submit"]`);
    await page.waitForFunction(() => document.querySelector('#suspended .resume-notice')?.textContent === 'Resumed payout-1: completed');
    expect((await payouts.inspect('payout-1'))?.status).toBe('completed');
    await page.waitForFunction(() => document.querySelector('#graph g.node[data-name="payout"]')?.getAttribute('class')?.includes('state-ok'));
    expect(await nodeClass('quote')).toContain('state-skipped');
    await page.waitForFunction(() => document.querySelector('form.resume[data-run-id="payout-1"]') === null);
  });

  it('made no request off loopback', () => {
    expect(requested.length).toBeGreaterThan(3);
    expect(offLoopback).toEqual([]);
  });
});
