import { describe, expect, it } from 'vitest';
import { REDACTED, redactBody, redactFormBody, redactMultipartBody } from '@tta/primitives/logging';

const encoded = encodeURIComponent(REDACTED);

describe('redactBody', () => {
  it('hides pwd, dsn and auth fields of a JSON body and keeps formatting when nothing is secret', () => {
    expect(redactBody('{"user":"ada","pwd":"hunter2","dsn":"postgres://a:b@h/d","auth":"ada:pw","requiresAuth":true}', 'application/json')).toBe(
      `{"user":"ada","pwd":"${REDACTED}","dsn":"${REDACTED}","auth":"${REDACTED}","requiresAuth":true}`,
    );
    expect(redactBody('{ "promptTokens": 12, "authorName": "Ada" }', 'application/json')).toBe('{ "promptTokens": 12, "authorName": "Ada" }');
  });

  it('hides a password field in a text/plain body written as a form', () => {
    expect(redactBody('user=ada&password=hunter2-pw&remember=1', 'text/plain')).toBe(`user=ada&password=${encoded}&remember=1`);
    expect(redactBody('just some notes', 'text/plain')).toBe('just some notes');
  });

  it('hides urlencoded code and secret fields', () => {
    expect(redactFormBody('grant_type=authorization_code&code=4%2F0Ad&client_secret=s3')).toBe(`grant_type=authorization_code&code=${encoded}&client_secret=${encoded}`);
    expect(redactFormBody('a=1&b=two')).toBe('a=1&b=two');
  });

  it('hides the password part of a multipart form and credentials in the other parts', () => {
    const boundary = '----formdata-undici-012345678901';
    const body = [
      `--${boundary}`, 'Content-Disposition: form-data; name="user"', '', 'ada',
      `--${boundary}`, 'Content-Disposition: form-data; name="password"', '', 'hunter2 with spaces',
      `--${boundary}`, 'Content-Disposition: form-data; name="note"', '', 'key sk_live_abcdefghijklmnop1234',
      `--${boundary}--`, '',
    ].join('\r\n');
    const redacted = redactMultipartBody(body, `multipart/form-data; boundary=${boundary}`);
    expect(redacted).not.toContain('hunter2');
    expect(redacted).not.toContain('sk_live_');
    expect(redacted).toContain('\r\n\r\nada\r\n');
    expect(redacted).toContain(`name="password"\r\n\r\n${REDACTED}\r\n--${boundary}`);
    expect(redactBody(body, `multipart/form-data; boundary=${boundary}`)).toBe(redacted);
  });

  it('redacts a multipart body without a usable boundary as text', () => {
    expect(redactMultipartBody('password=hunter2', 'multipart/form-data')).toBe(`password=${REDACTED}`);
  });

  it('finishes hostile 100 KB bodies of every type within a bound', () => {
    const boundary = 'b';
    const hostile: Array<[string, string]> = [
      ['--b\r\n'.repeat(20_000), `multipart/form-data; boundary=${boundary}`],
      [`--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n${'a'.repeat(100_000)}`, `multipart/form-data; boundary=${boundary}`],
      ['a=&'.repeat(33_000), 'application/x-www-form-urlencoded'],
      ['a=b&'.repeat(25_000), 'text/plain'],
      ['['.repeat(50_000) + ']'.repeat(50_000), 'application/json'],
      ['data: {"a":1}\n'.repeat(7_000), 'text/event-stream'],
    ];
    for (const [body, type] of hostile) {
      const started = performance.now();
      expect(typeof redactBody(body, type)).toBe('string');
      expect(performance.now() - started, type).toBeLessThan(1_000);
    }
  });
});
