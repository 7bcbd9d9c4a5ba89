import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportRecordingFailure } from './report-failure.js';

const googleKey = 'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW';
const githubToken = 'ghp_R3v13wC4n4ry0123456789abcdefghijKL';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('reportRecordingFailure', () => {
  it('writes one line with the URL and the error text redacted', () => {
    const printed: unknown[][] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void printed.push(args));
    reportRecordingFailure(
      'could not record',
      'GET',
      `https://maps.example/api?key=${googleKey}&q=x`,
      new Error(`socket hang up on /api?access_token=${githubToken}`),
      { keys: [], secrets: ['literal-s3cret'] },
    );
    reportRecordingFailure('could not record', 'POST', '/x', 'boom literal-s3cret', { keys: [], secrets: ['literal-s3cret'] });
    expect(printed).toHaveLength(2);
    const text = printed.map((args) => args.map(String).join(' ')).join('\n');
    for (const secret of [googleKey, githubToken, 'literal-s3cret']) expect(text).not.toContain(secret);
    expect(text).toContain('tta-keploy: could not record GET https://maps.example/api?key=');
    expect(text).toContain('socket hang up');
  });

  it('never throws, even for a revoked proxy or a failing stderr', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    vi.spyOn(console, 'error').mockImplementation(() => {
      throw new Error('EPIPE');
    });
    expect(() => reportRecordingFailure('could not record', undefined, undefined, proxy, { keys: [], secrets: [] })).not.toThrow();
  });
});
