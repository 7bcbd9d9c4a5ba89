import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportListenerError } from './disposable.js';

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('reportListenerError without a host reportError', () => {
  const original = globalThis.reportError;
  afterEach(() => {
    globalThis.reportError = original;
    vi.restoreAllMocks();
  });

  it('prints the failure with its credentials hidden', async () => {
    // @ts-expect-error -- Node 20 has no reportError; the fallback path is under test
    delete globalThis.reportError;
    const printed: unknown[][] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void printed.push(args));
    reportListenerError(new Error('cannot load circuit state from redis://:S3cretPw@cache.internal:6379'));
    await settle();
    expect(printed).toHaveLength(1);
    const text = printed[0]!.map(String).join(' ');
    expect(text).toContain('cannot load circuit state');
    expect(text).not.toContain('S3cretPw');
  });

  it('prints something for a value that cannot be read, without throwing', async () => {
    // @ts-expect-error -- as above
    delete globalThis.reportError;
    const printed: unknown[][] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void printed.push(args));
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const hostile = new Error('x');
    Object.defineProperty(hostile, 'stack', { get: () => { throw new Error('no stack'); } });
    reportListenerError(revoked.proxy);
    reportListenerError(hostile);
    await settle();
    expect(printed).toHaveLength(2);
  });
});
