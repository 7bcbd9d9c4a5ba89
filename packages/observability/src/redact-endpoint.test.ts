import { describe, expect, it } from 'vitest';
import { redactEndpoint } from './redact-endpoint.js';

describe('redactEndpoint', () => {
  it('replaces credentials and the query string, and keeps where the spans go', () => {
    expect(redactEndpoint('https://user:s3cret@collector.example:4318/v1/traces?api_key=abc#x')).toBe(
      'https://[REDACTED]@collector.example:4318/v1/traces?[REDACTED]',
    );
  });

  it('leaves an endpoint without secrets as it is', () => {
    expect(redactEndpoint('http://127.0.0.1:4318/v1/traces')).toBe('http://127.0.0.1:4318/v1/traces');
  });

  it('answers [REDACTED] for something that is not a URL', () => {
    expect(redactEndpoint('not a url with sk-secret')).toBe('[REDACTED]');
  });
});
