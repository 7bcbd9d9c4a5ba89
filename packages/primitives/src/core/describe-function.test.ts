import { describe as suite, expect, it } from 'vitest';
import { describe, InvalidOptionsError, retry, step } from '../index.js';

suite('describe(primitive)', () => {
  it('gives the same description as the method', () => {
    const workflow = retry(step('fetch', async (url: string) => url), { maxAttempts: 3 });
    expect(describe(workflow)).toEqual(workflow.describe());
    expect(describe(workflow).kind).toBe('retry');
  });

  it('refuses what is not a primitive with a typed error', () => {
    expect(() => describe({} as never)).toThrow(InvalidOptionsError);
    expect(() => describe(undefined as never)).toThrow(/describe/);
  });
});
