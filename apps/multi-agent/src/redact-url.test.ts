import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it('hides the password of a Redis URL and keeps where it points', () => {
    const printed = redactUrl('redis://:s3cr3t-pass@cache.internal:6379/0');
    expect(printed).not.toContain('s3cr3t-pass');
    expect(printed).toContain('cache.internal:6379');
  });

  it('hides a token in the query string too', () => {
    expect(redactUrl('rediss://cache.internal:6380/?token=abc123xyz')).not.toContain('abc123xyz');
  });
});
