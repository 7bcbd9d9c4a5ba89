import { describe, expect, it } from 'vitest';
import { redactBody, redactHeaders, redactText, redactUrl } from './redaction.js';

const rules = { keys: ['x-internal'], secrets: [] };

describe('redaction', () => {
  it('hides authorization, cookies, API keys and extra keys in headers, and keeps the rest', () => {
    expect(
      redactHeaders({ Authorization: 'Bearer abcdefgh', Cookie: 'a=1', 'Set-Cookie': 'b=2', 'X-Api-Key': 'k', 'X-Internal': 'v', Accept: 'application/json', 'X-Forwarded': 'Bearer abcdefghij' }, rules),
    ).toEqual({ Authorization: '[REDACTED]', Cookie: '[REDACTED]', 'Set-Cookie': '[REDACTED]', 'X-Api-Key': '[REDACTED]', 'X-Internal': '[REDACTED]', Accept: 'application/json', 'X-Forwarded': '[REDACTED]' });
  });

  it('hides secret query parameters and a URL password, keeping a host-less URL host-less', () => {
    expect(redactUrl('/v1?api_key=abc&page=2', rules)).toBe('/v1?api_key=%5BREDACTED%5D&page=2');
    expect(redactUrl('https://user:pw@api.test/v1?q=1', rules)).toBe('https://user:%5BREDACTED%5D@api.test/v1?q=1');
    expect(redactUrl('/plain?q=1', rules)).toBe('/plain?q=1');
  });

  it('hides secret JSON fields at any depth and keeps the original text when nothing is secret', () => {
    expect(redactBody('{"user":{"password":"p","name":"n"},"list":[{"apiKey":"k"}]}', 'application/json', rules)).toBe(
      '{"user":{"password":"[REDACTED]","name":"n"},"list":[{"apiKey":"[REDACTED]"}]}',
    );
    expect(redactBody('{ "name" : "n" }', 'application/json', rules)).toBe('{ "name" : "n" }');
  });

  it('hides secret form fields and credential-looking tokens in text and event streams', () => {
    expect(redactBody('client_secret=s&grant_type=x', 'application/x-www-form-urlencoded', rules)).toBe('client_secret=%5BREDACTED%5D&grant_type=x');
    expect(redactText('key sk-abcdefghijklmnopqrstu and AKIAABCDEFGHIJKLMNOP', rules)).toBe('key [REDACTED] and [REDACTED]');
    expect(redactBody('data: {"secret":"s","delta":"hi"}\n\n', 'text/event-stream', rules)).toBe('data: {"secret":"[REDACTED]","delta":"hi"}\n\n');
  });

  it('scrubs literal secrets everywhere', () => {
    const literal = { keys: [], secrets: ['lit-123'] };
    expect(redactHeaders({ 'X-Note': 'has lit-123 inside' }, literal)).toEqual({ 'X-Note': 'has [REDACTED] inside' });
    expect(redactUrl('/a/lit-123', literal)).toBe('/a/[REDACTED]');
    expect(redactBody('{"note":"lit-123"}', 'application/json', literal)).toBe('{"note":"[REDACTED]"}');
  });
});

describe('redactStream', () => {
  it('keeps chunk boundaries when each chunk redacts like the whole', async () => {
    const { redactStream } = await import('./redact-stream.js');
    const chunks = [{ data: 'data: {"a":1}\n\n', delayMs: 0 }, { data: 'data: {"b":2}\n\n', delayMs: 5 }];
    expect(redactStream('data: {"a":1}\n\ndata: {"b":2}\n\n', chunks, 'text/event-stream', rules)).toEqual({ body: 'data: {"a":1}\n\ndata: {"b":2}\n\n', chunks });
  });

  it('never leaks a secret field cut in two by a chunk boundary', async () => {
    const { redactStream } = await import('./redact-stream.js');
    const text = 'data: {"secret":"s3cr3t","x":1}\n\ndata: {"y":2}\n\n';
    const cut = [{ data: 'data: {"secret":"s3', delayMs: 0 }, { data: 'cr3t","x":1}\n\ndata: {"y":2}\n\n', delayMs: 7 }];
    const result = redactStream(text, cut, 'text/event-stream', rules);
    expect(JSON.stringify(result)).not.toContain('s3');
    expect(result.chunks?.map((chunk) => chunk.data)).toEqual(['data: {"secret":"[REDACTED]","x":1}\n\n', 'data: {"y":2}\n\n']);
    const json = redactStream('{"password":"pw-123","ok":true}', [{ data: '{"password":"pw-', delayMs: 0 }, { data: '123","ok":true}', delayMs: 1 }], 'application/json', rules);
    expect(json).toEqual({ body: '{"password":"[REDACTED]","ok":true}' });
  });
});

describe('redaction of every shape an outside caller sends', () => {
  const none = { keys: [], secrets: [] };
  const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVlLTEyMw';

  it('hides a multipart password field', () => {
    const boundary = '----formdata-undici-055221876409';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="user"\r\n\r\nada\r\n--${boundary}\r\nContent-Disposition: form-data; name="password"\r\n\r\nmultipart-pw-1\r\n--${boundary}--\r\n`;
    const redacted = redactBody(body, `multipart/form-data; boundary=${boundary}`, none);
    expect(redacted).not.toContain('multipart-pw-1');
    expect(redacted).toContain('ada');
  });

  it('hides a password pair in a text/plain body, a JSON pwd and a DSN password', () => {
    expect(redactBody('user=ada&password=plain-pw-2', 'text/plain', none)).not.toContain('plain-pw-2');
    expect(redactBody('{"pwd":"json-pwd-3","name":"n"}', 'application/json', none)).toBe('{"pwd":"[REDACTED]","name":"n"}');
    expect(redactBody('{"db":"postgres://app:dsn-pw-4@db/main"}', 'application/json', none)).not.toContain('dsn-pw-4');
    expect(redactBody(`token is ${jwt}`, 'text/plain', none)).not.toContain(jwt);
  });

  it('hides ?key= and ?code= query values and a custom auth header', () => {
    const googleKey = `AIza${'Sy0123456789abcdefghijklmnopqrstu'}`;
    expect(redactUrl(`https://maps.test/geo?key=${googleKey}&q=paris`, none)).toBe('https://maps.test/geo?key=%5BREDACTED%5D&q=paris');
    expect(redactUrl('/cb?code=oauth-code-5&state=s', none)).toBe('/cb?code=%5BREDACTED%5D&state=s');
    expect(redactHeaders({ 'X-Custom-Auth': 'custom-auth-6', 'X-Session': jwt }, none)).toEqual({ 'X-Custom-Auth': '[REDACTED]', 'X-Session': '[REDACTED]' });
  });
});
