import { afterEach, describe, expect, it } from 'vitest';
// Relative imports: the test pins the behaviour of the modules, whichever entry exports them.
import { WorkflowContext } from './workflow-context.js';
import { sequential } from '../composition/sequential.js';
import { step } from '../composition/lambda-primitive.js';
import { parallel } from '../composition/parallel-primitive.js';
import { conditional } from '../composition/conditional-primitive.js';
import { router } from '../composition/router-primitive.js';
import { metrics } from '../observability/primitive-metrics.js';
import { registerInstrumentation, type ExecutionInfo } from '../observability/instrumentation.js';
import { retry } from '../recovery/retry-primitive.js';
import { timeout } from '../recovery/timeout-primitive.js';
import { fallback } from '../recovery/fallback-primitive.js';
import { circuitBreaker } from '../recovery/circuit-breaker-primitive.js';
import { compensation } from '../recovery/compensation-primitive.js';
import { cache } from '../flow/cache-primitive.js';
import { bulkhead } from '../flow/bulkhead-primitive.js';
import { rateLimit } from '../flow/rate-limit-primitive.js';
import { hedge } from '../flow/hedge-primitive.js';
import { batch } from '../flow/batch-primitive.js';
import { validate } from '../flow/validate-primitive.js';
import { filter } from '../flow/filter-primitive.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { failFirst, withLatency } from '../testing/faults.js';
import { wrapperName, maxWrapperNameLength } from './wrapper-name.js';

const reserve = step('reserve-stock', (order: string) => `${order}:reserved`);
const charge = step('charge-card', (order: string) => `${order}:charged`);
const many = step('embed-many', (texts: string[]) => texts.map((text) => text.length));

afterEach(() => metrics.reset());

describe('wrapperName', () => {
  it('puts the wrapped primitive’s name in parentheses after the kind', () => {
    expect(wrapperName('retry', reserve)).toBe('retry(reserve-stock)');
    expect(wrapperName('agent-handoff', 'coder')).toBe('agent-handoff(coder)');
  });

  it('keeps the kind alone when given no primitive or an empty name', () => {
    expect(wrapperName('retry', 42 as never)).toBe('retry');
    expect(wrapperName('retry', '')).toBe('retry');
  });

  it('keeps a name of 64 characters, the longest Prometheus label value observability keeps', () => {
    const inner = step('s'.repeat(maxWrapperNameLength - 'retry()'.length), (value: number) => value);
    expect(wrapperName('retry', inner)).toBe(`retry(${inner.name})`);
  });

  it('cuts a longer name to its first 55 characters, … and a hash, distinct per inner name and stable', () => {
    const long = (suffix: string) => step(`${'x'.repeat(300)}${suffix}`, (value: number) => value);
    const first = wrapperName('retry', long('a'));
    const second = wrapperName('retry', long('b'));
    expect(first).toMatch(/^retry\(x{49}…[0-9a-f]{8}$/);
    expect(first).toHaveLength(maxWrapperNameLength);
    expect(second).not.toBe(first);
    expect(wrapperName('retry', long('a'))).toBe(first);
  });

  it('keeps deep nests distinct once cut', () => {
    const deep = (name: string) => timeout(retry(circuitBreaker(cache(step(name, (value: number) => value)))), { timeoutMs: 1_000 });
    const first = deep('fetch-customer-profile-from-crm');
    const second = deep('fetch-customer-orders-from-crm');
    expect(first.name).toHaveLength(maxWrapperNameLength);
    expect(first.name.startsWith('timeout(retry(circuit-breaker(cache(fetch-customer-')).toBe(true);
    expect(second.name).not.toBe(first.name);
  });

  it('never cuts a character in half: a cut name stays well-formed text (a Prometheus label must be UTF-8)', () => {
    // 'retry(' and 46 letters put an emoji's two UTF-16 halves on either side of the cut at 55.
    for (let letters = 40; letters < 56; letters++) {
      const name = wrapperName('retry', step(`${'a'.repeat(letters)}${'😀'.repeat(10)}`, (value: number) => value));
      expect(name.length).toBeLessThanOrEqual(maxWrapperNameLength);
      // What a UTF-8 exporter writes: a lone surrogate would come back as U+FFFD.
      expect(Buffer.from(name, 'utf8').toString('utf8')).toBe(name);
    }
  });
});

describe('unnamed wrappers are named after what they wrap', () => {
  it.each([
    ['retry', () => retry(reserve), 'retry(reserve-stock)'],
    ['timeout', () => timeout(reserve, { timeoutMs: 1_000 }), 'timeout(reserve-stock)'],
    ['fallback (factory)', () => fallback(reserve, [charge]), 'fallback(reserve-stock)'],
    ['circuit breaker', () => circuitBreaker(reserve), 'circuit-breaker(reserve-stock)'],
    ['cache', () => cache(reserve), 'cache(reserve-stock)'],
    ['bulkhead', () => bulkhead(reserve, { maxConcurrent: 2 }), 'bulkhead(reserve-stock)'],
    ['rate limit', () => rateLimit(reserve, { tokensPerInterval: 10, intervalMs: 1_000 }), 'rate-limit(reserve-stock)'],
    ['hedge', () => hedge(reserve, { delayMs: 50 }), 'hedge(reserve-stock)'],
    ['batch', () => batch(many, { maxBatchSize: 8, maxWaitMs: 5 }), 'batch(embed-many)'],
    ['fail first', () => failFirst(1, reserve), 'fail-first(reserve-stock)'],
    ['with latency', () => withLatency(5, reserve), 'with-latency(reserve-stock)'],
  ])('%s', (_label, make, expected) => {
    expect(make().name).toBe(expected);
  });

  it('nests: timeout(retry(reserve-stock)), keeping each kind', () => {
    const guarded = timeout(retry(reserve), { timeoutMs: 1_000 });
    expect(guarded.name).toBe('timeout(retry(reserve-stock))');
    expect(guarded.kind).toBe('timeout');
  });

  it('keeps instrument: false that the options inherit (a class instance or Object.create(defaults))', () => {
    const defaults = { instrument: false };
    expect(retry(reserve, Object.create(defaults) as { instrument: boolean }).instrument).toBe(false);
    class Quiet {
      get instrument() {
        return false;
      }
    }
    expect(timeout(reserve, Object.assign(new Quiet(), { timeoutMs: 1_000 })).instrument).toBe(false);
    expect(retry(reserve, Object.create(defaults) as { instrument: boolean }).name).toBe('retry(reserve-stock)');
  });

  it('keeps a given name', () => {
    expect(retry(reserve, { name: 'reserve-with-retries' }).name).toBe('reserve-with-retries');
    expect(failFirst(1, reserve).kind).toBe('fault');
  });

  it('still refuses a bad name or bad options with InvalidOptionsError', () => {
    expect(() => retry(reserve, { name: '' })).toThrow(InvalidOptionsError);
    expect(() => retry(reserve, null as never)).toThrow(InvalidOptionsError);
    expect(() => retry(42 as never)).toThrow(InvalidOptionsError);
  });

  it('composites of several children keep their kind as their name', () => {
    const sagaStep = { step: reserve, undo: step('release', (value: { input: string }) => value.input) };
    expect(sequential(reserve, step('next', (value: string) => value)).name).toBe('sequential');
    expect(reserve.pipe(step('next', (value: string) => value)).name).toBe('sequential');
    expect(parallel(reserve, charge).name).toBe('parallel');
    expect(conditional({ condition: () => true, then: reserve, else: charge }).name).toBe('conditional');
    expect(router({ routes: { a: reserve }, selector: () => 'a' }).name).toBe('router');
    expect(compensation({ steps: [sagaStep] }).name).toBe('compensation');
    expect(filter((value: number) => value > 0).name).toBe('filter');
    expect(validate({ '~standard': { version: 1, vendor: 'test', validate: (value: unknown) => ({ value }) } }).name).toBe('validate');
  });

  it('gives two retries around different steps two entries in metrics.snapshot()', async () => {
    const context = new WorkflowContext();
    await retry(reserve).execute(context, 'order-1');
    await retry(charge).execute(context, 'order-1');
    await retry(charge).execute(context, 'order-2');
    const snapshot = metrics.snapshot();
    expect(snapshot['retry(reserve-stock)']).toMatchObject({ count: 1, successes: 1 });
    expect(snapshot['retry(charge-card)']).toMatchObject({ count: 2, successes: 2 });
    expect(snapshot.retry).toBeUndefined();
  });

  it('names the executions the instrumentation sees (and so the spans) after what they wrap', async () => {
    const seen: ExecutionInfo[] = [];
    const registration = registerInstrumentation({ onStart: (execution) => seen.push(execution) });
    try {
      await timeout(retry(reserve), { timeoutMs: 1_000 }).execute(new WorkflowContext(), 'order-1');
    } finally {
      registration.dispose();
    }
    expect(seen.map((execution) => [execution.name, execution.kind])).toEqual([
      ['timeout(retry(reserve-stock))', 'timeout'],
      ['retry(reserve-stock)', 'retry'],
      ['reserve-stock', 'step'],
    ]);
  });
});
