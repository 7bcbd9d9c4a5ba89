import { describe, expect, it } from 'vitest';
import { REDACTED, redactHeaders, redactUrl } from '@tta/primitives/logging';

const encoded = encodeURIComponent(REDACTED);

describe('redactUrl', () => {
  it('hides ?key= and ?code= values, keeping the other parameters and a host-less URL host-less', () => {
    const key = `AIza${'x1Y2z3'.repeat(6)}abcde`;
    expect(redactUrl(`/maps/api/geocode/json?address=Paris&key=${key}`)).toBe(`/maps/api/geocode/json?address=Paris&key=${encoded}`);
    expect(redactUrl('https://app.test/callback?code=4%2F0AdQt8q&state=abc')).toBe(`https://app.test/callback?code=${encoded}&state=abc`);
  });

  it('hides a DSN password and a token written as the user name', () => {
    expect(redactUrl('postgres://app:Tr0ub4dor-3@db.internal:5432/main')).toBe(`postgres://app:${encoded}@db.internal:5432/main`);
    const token = `ghp_${'a1B2c3D4e5F6'.repeat(3)}`;
    expect(redactUrl(`https://${token}@github.com/acme/app.git`)).not.toContain(token);
  });

  it('hides credentials in the path and the fragment', () => {
    const hook = `https://hooks.slack.com/services/T01234567/B01234567/${'aB3dE5fG'.repeat(3)}`;
    expect(redactUrl(hook)).not.toContain('aB3dE5fG');
    expect(redactUrl('https://app.test/#access_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc')).not.toContain('eyJzdWIi');
  });

  it('returns a URL with nothing to hide exactly as written', () => {
    for (const url of ['https://api.example.com/v1/users/42?page=2&sort=desc', '/plain?q=a+b', 'not a url at all']) expect(redactUrl(url)).toBe(url);
  });
});

describe('redactUrl of request targets', () => {
  it('keeps the host of a target starting with // and hides its password', () => {
    expect(redactUrl('//app:S3cretPw@evil.example/p?x=1')).toBe(`//app:${encoded}@evil.example/p?x=1`);
    expect(redactUrl('//evil.example/p?token=abc123')).toBe(`//evil.example/p?token=${encoded}`);
  });

  it('never adds a placeholder host to a relative target, nor normalises away its .. segments', () => {
    expect(redactUrl('v1/items?api_key=abc')).toBe(`v1/items?api_key=${encoded}`);
    expect(redactUrl('?token=abc')).toBe(`?token=${encoded}`);
    expect(redactUrl('/api/../admin?token=abc')).toBe(`/api/../admin?token=${encoded}`);
  });
});

describe('redactHeaders', () => {
  it('hides custom auth headers, cookies and tokens and credentials inside other values', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVl';
    expect(
      redactHeaders({ 'X-Custom-Auth': 'letmein', 'Proxy-Authorization': 'Basic dXNlcjpwYXNz', 'X-Amz-Security-Token': 'FwoGZX', 'X-Session': jwt, Accept: 'application/json' }),
    ).toEqual({ 'X-Custom-Auth': REDACTED, 'Proxy-Authorization': REDACTED, 'X-Amz-Security-Token': REDACTED, 'X-Session': REDACTED, Accept: 'application/json' });
  });
});
