/* global process, console, setImmediate, URL */
// What the devtools cost a running workflow: a 10-step sequence with metrics only (the core's
// default), with the devtools started but no browser connected, and with a browser connected (an
// event-stream client reading every event). The page's work happens off the run's path (events
// are batched and serialised on a later turn), so each measured batch ends by yielding to the event
// loop and that deferred work is timed too. Scenarios are interleaved round by round so machine
// noise hits them alike; medians are printed. The devtools record at most `maxRunsPerSecond` runs a
// second (20 by default) and leave the others to the core's uninstrumented path; the last scenario
// records every run, to show what one recorded run costs. Run with `pnpm --filter @tta/devtools bench:cost`.
import { get } from 'node:http';
import { SequentialPrimitive, metrics, step } from '@tta/primitives';
import { registerInstrumentation } from '@tta/primitives/instrumentation';
import { startDevtools } from '../dist/index.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const iterations = Number(process.env.BENCH_ITERATIONS ?? 20_000);
// Runs between two yields to the event loop: what a server handling requests does anyway.
const yieldEvery = 100;

const fn = async (n) => n + 1;
const tenSteps = new SequentialPrimitive(Array.from({ length: 10 }, (_, index) => step(`s${index}`, fn)), { name: 'ten-steps' });
const otherWorkflow = new SequentialPrimitive([step('other', fn)], { name: 'other' });
const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));

async function measure(runs = iterations) {
  const started = process.hrtime.bigint();
  for (let count = 0; count < runs; count++) {
    await tenSteps.run(count);
    if (count % yieldEvery === yieldEvery - 1) await yieldToLoop();
  }
  await yieldToLoop();
  return Number(process.hrtime.bigint() - started) / runs;
}

function connectBrowser(url) {
  return new Promise((resolve, reject) => {
    const events = new URL(url);
    events.pathname = '/api/events';
    let received = 0;
    const request = get(events, (response) => {
      response.on('data', (chunk) => (received += chunk.length));
      resolve({ close: () => request.destroy(), received: () => received });
    });
    request.on('error', reject);
  });
}

metrics.enabled = true;
const devtools = await startDevtools({ workflows: { 'ten-steps': tenSteps }, port: 0 });
// A second server whose workflow never runs: no browser on it either, so nothing is registered.
const idle = await startDevtools({ workflows: { other: otherWorkflow }, port: 0 });
// The same workflow on a server that records every run.
const everyRun = await startDevtools({ workflows: { 'ten-steps': tenSteps }, port: 0, maxRunsPerSecond: 100_000 });
let browser;
let emptyRegistration;
const scenarios = [
  { name: '10-step sequence, metrics only', before: async () => {}, after: async () => {} },
  { name: 'devtools started, no browser connected', before: async () => {}, after: async () => {} },
  {
    // The floor of any instrumentation: the core's instrumented path with callbacks that do nothing.
    name: 'an empty instrumentation registered (the seam alone)',
    before: async () => {
      emptyRegistration = registerInstrumentation({ onStart() {}, onEnd() {} });
    },
    after: async () => emptyRegistration.dispose(),
  },
  {
    name: 'devtools with a browser connected (SSE client)',
    before: async () => {
      browser = await connectBrowser(devtools.url);
      await devtools.waitForBrowser();
    },
    after: async () => {
      browser.close();
      while (devtools.connectedBrowsers > 0) await yieldToLoop();
    },
  },
];
// Measured apart, after the others: it is tens of times slower and leaves much garbage behind, which
// would be collected (and counted) in whichever scenario came next.
const everyRunScenario = {
  name: 'devtools with a browser connected, every run recorded (maxRunsPerSecond: 100000)',
  before: async () => {
    browser = await connectBrowser(everyRun.url);
    await everyRun.waitForBrowser();
  },
  after: async () => {
    browser.close();
    while (everyRun.connectedBrowsers > 0) await yieldToLoop();
  },
};

const samples = scenarios.map(() => []);
for (let round = -1; round < rounds; round++) {
  for (const [index, scenario] of scenarios.entries()) {
    await scenario.before();
    const nanoseconds = await measure();
    await scenario.after();
    if (round >= 0) samples[index].push(nanoseconds); // round -1 warms up
  }
}
const everyRunSamples = [];
for (let round = -1; round < rounds; round++) {
  await everyRunScenario.before();
  const nanoseconds = await measure(iterations / 10);
  await everyRunScenario.after();
  if (round >= 0) everyRunSamples.push(nanoseconds);
}
scenarios.push(everyRunScenario);
samples.push(everyRunSamples);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const medians = samples.map(median);
console.log(`| scenario | ns per run of 10 steps (median of ${rounds}; the last one on ${iterations / 10} runs a round, after the others) | vs metrics only |`);
console.log('|---|---|---|');
for (const [index, scenario] of scenarios.entries()) {
  console.log(`| ${scenario.name} | ${Math.round(medians[index])} | ${(medians[index] / medians[0]).toFixed(2)}x |`);
}
console.log(`\nevents dropped: ${devtools.droppedEvents + everyRun.droppedEvents}; runs left out over maxRunsPerSecond: ${devtools.runsNotShown}`);
await devtools.close();
await everyRun.close();
await idle.close();
