import { afterEach, describe, expect, it } from 'vitest';
import { step } from '../composition/lambda-primitive.js';
import { metrics } from '../observability/primitive-metrics.js';
import { retry } from '../recovery/retry-primitive.js';
import { timeout } from '../recovery/timeout-primitive.js';
import { wrapperName } from './wrapper-name.js';

// Shaped like an OpenAI project key: a step named after request data can carry one.
const secret = 'sk-proj-abcdefghijklmnopqrstuvwxyz012345';

describe('secret-shaped primitive names', () => {
  afterEach(() => metrics.reset());

  it('are redacted where a wrapper repeats them in its own name', () => {
    const leaky = step(secret, async (value: number) => value);
    expect(wrapperName('retry', leaky)).toBe('retry([REDACTED])');
    expect(timeout(retry(leaky), { timeoutMs: 1_000 }).name).toBe('timeout(retry([REDACTED]))');
    expect(wrapperName('agent-handoff', secret)).toBe('agent-handoff([REDACTED])');
  });

  it('are redacted where they become keys of metrics.snapshot()', async () => {
    const leaky = step(secret, async (value: number) => value + 1);
    await expect(retry(leaky).run(1)).resolves.toBe(2);
    const names = Object.keys(metrics.snapshot());
    expect(names).toEqual(expect.arrayContaining(['[REDACTED]', 'retry([REDACTED])']));
    expect(names.join(' ')).not.toContain('abcdefghijklmnop');
  });

  it('leave ordinary names as they are', async () => {
    const reserve = step('reserve-stock', async (value: number) => value);
    await retry(reserve).run(1);
    expect(Object.keys(metrics.snapshot())).toEqual(expect.arrayContaining(['reserve-stock', 'retry(reserve-stock)']));
  });
});
