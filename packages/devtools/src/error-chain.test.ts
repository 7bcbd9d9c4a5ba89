import { describe, expect, it } from 'vitest';
import { errorChain } from './error-chain.js';

const apiKey = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';

describe('errorChain', () => {
  it("redacts a credential in an error's name and code as well as its message", () => {
    const error = Object.assign(new Error(`refused ${apiKey}`), { code: apiKey });
    error.name = `AuthError(${apiKey})`;
    const text = JSON.stringify(errorChain(new Error('outer', { cause: error })));
    expect(text).not.toContain(apiKey);
    expect(errorChain(error)[0]).toEqual({ name: 'AuthError([REDACTED])', message: 'refused [REDACTED]', code: '[REDACTED]' });
  });

  it('bounds a huge name and code as it bounds a message', () => {
    const error = Object.assign(new Error('x'), { code: 'C'.repeat(100_000) });
    error.name = 'N'.repeat(100_000);
    const [link] = errorChain(error);
    expect(link!.name.length).toBeLessThanOrEqual(2001);
    expect(link!.code!.length).toBeLessThanOrEqual(2001);
  });
});
