import { describe, expect, it } from 'vitest';
import { redact } from './redact.js';

describe('redact on hostile values', () => {
  it('replaces a throwing getter and a revoked proxy with a placeholder and keeps the other fields', () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const value = {
      kept: 'yes',
      apiKey: 'secret-value',
      get broken(): unknown {
        throw new Error('getter exploded');
      },
      nested: { proxy: revoked.proxy, list: [revoked.proxy, 1] },
    };
    expect(redact(value)).toEqual({
      kept: 'yes',
      apiKey: '[REDACTED]',
      broken: '[Unreadable]',
      nested: { proxy: '[Unreadable]', list: ['[Unreadable]', 1] },
    });
    expect(redact(revoked.proxy)).toBe('[Unreadable]');
  });
});
