import { describe, expect, it } from 'vitest';
import type { RecordedResponse } from '../model.js';
import { compareResponse } from './compare-response.js';

const recorded = (overrides: Partial<RecordedResponse> = {}): RecordedResponse => ({
  status: 200,
  statusMessage: 'OK',
  headers: { 'Content-Type': 'application/json', Date: 'Wed, 31 Jul 2024 21:13:24 GMT', 'Content-Length': '10', Connection: 'keep-alive' },
  body: '{"user":{"id":1,"name":"Ada"},"items":[{"id":1,"at":"x"},{"id":2,"at":"y"}]}',
  timestamp: '0001-01-01T00:00:00Z',
  ...overrides,
});
const actual = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }, status = 200) => ({ status, headers: new Headers(headers), body });

describe('compareResponse', () => {
  it('passes on the same JSON in another key order, ignoring transport headers and noised ones', () => {
    expect(compareResponse(recorded(), actual('{"items":[{"at":"x","id":1},{"id":2,"at":"y"}],"user":{"name":"Ada","id":1}}'), { 'header.Date': [] })).toEqual([]);
  });

  it('reports a status change, a header change and a changed JSON field by path', () => {
    const differences = compareResponse(recorded(), actual('{"user":{"id":1,"name":"Bob"},"items":[{"id":1,"at":"x"},{"id":2,"at":"y"}]}', { 'content-type': 'text/plain' }, 201), { 'header.Date': [] });
    expect(differences).toEqual([
      { field: 'status', expected: '200', actual: '201' },
      { field: 'header.Content-Type', expected: 'application/json', actual: 'text/plain' },
      { field: 'body.user.name', expected: '"Ada"', actual: '"Bob"' },
    ]);
  });

  it('reports a missing header and a missing field as absent', () => {
    const differences = compareResponse(recorded({ body: '{"a":1,"b":2}' }), actual('{"a":1}', {}), { 'header.date': [] });
    expect(differences).toEqual([
      { field: 'header.Content-Type', expected: 'application/json', actual: undefined },
      { field: 'body.b', expected: '2', actual: undefined },
    ]);
  });

  it('treats array levels as transparent for noise paths, as Keploy does', () => {
    const body = '{"user":{"id":1,"name":"Ada"},"items":[{"id":1,"at":"changed"},{"id":2,"at":"also"}]}';
    expect(compareResponse(recorded(), actual(body), { 'header.Date': [], 'body.items.at': [] })).toEqual([]);
    expect(compareResponse(recorded(), actual(body), { 'header.Date': [] }).map((difference) => difference.field)).toEqual(['body.items[0].at', 'body.items[1].at']);
  });

  it('ignores a noised field only when the actual value matches one of its patterns', () => {
    const base = recorded({ body: '{"at":"2024-01-01"}' });
    expect(compareResponse(base, actual('{"at":"2026-11-25"}'), { 'header.Date': [], 'body.at': ['^\\d{4}-\\d{2}-\\d{2}$'] })).toEqual([]);
    expect(compareResponse(base, actual('{"at":"soon"}'), { 'header.Date': [], 'body.at': ['^\\d{4}-\\d{2}-\\d{2}$'] })).toHaveLength(1);
  });

  it('accepts any actual value where the recording was redacted', () => {
    const base = recorded({ headers: { 'Set-Cookie': '[REDACTED]' }, body: '{"token":"[REDACTED]","user":"ada"}' });
    expect(compareResponse(base, actual('{"token":"abc","user":"ada"}', { 'set-cookie': 'sid=1' }), {})).toEqual([]);
  });

  it('compares text bodies as text, and ignores the whole body under the `body` noise', () => {
    const base = recorded({ headers: {}, body: 'hello\nworld' });
    expect(compareResponse(base, actual('hello\nthere', {}), {})).toEqual([{ field: 'body', expected: 'hello\nworld', actual: 'hello\nthere' }]);
    expect(compareResponse(base, actual('anything', {}), { body: [] })).toEqual([]);
  });
});
