import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HttpMock, RecordedRequest } from '../model.js';
import { MockMatcher, bodyMatches, requestDifferences, textMatches, type LiveRequest } from './request-matcher.js';

const recorded = (overrides: Partial<RecordedRequest> = {}): RecordedRequest => ({
  method: 'POST',
  url: 'http://api.test/items?a=1&b=2',
  headers: { 'X-Tenant': 'blue' },
  body: '{"a":1,"b":{"c":[1,2]}}',
  timestamp: '0001-01-01T00:00:00Z',
  ...overrides,
});
const live = (url: string, body = '{"a":1,"b":{"c":[1,2]}}', method = 'POST', headers: Record<string, string> = {}): LiveRequest => ({
  method,
  url: new URL(url),
  headers: new Headers(headers),
  body,
});
const mock = (name: string, request: Partial<RecordedRequest>): HttpMock => ({
  kind: 'Http',
  name,
  metadata: {},
  created: 0,
  request: recorded(request),
  response: { status: 200, statusMessage: 'OK', headers: {}, body: name, timestamp: '' },
});

describe('requestDifferences', () => {
  it('matches whatever the query order and the JSON key order', () => {
    expect(requestDifferences(recorded(), live('http://api.test/items?b=2&a=1', '{"b":{"c":[1,2]},"a":1}'), [])).toEqual([]);
  });

  it('names what differs: method, url, query, body, listed headers', () => {
    expect(requestDifferences(recorded(), live('http://other.test/items?a=1', '{"a":2}', 'PUT', { 'x-tenant': 'red' }), ['x-tenant'])).toEqual([
      'method', 'url', 'query', 'body', 'header x-tenant',
    ]);
  });

  it('lets a recorded URL without host match any host', () => {
    expect(requestDifferences(recorded({ url: '/items?a=1&b=2' }), live('https://anywhere.example:8443/items?b=2&a=1'), [])).toEqual([]);
  });

  it('lets redacted recorded values match any live value', () => {
    const request = recorded({ url: '/items?api_key=%5BREDACTED%5D', body: '{"password":"[REDACTED]","user":"ada"}', headers: { Authorization: '[REDACTED]' } });
    expect(requestDifferences(request, live('http://x/items?api_key=secret', '{"user":"ada","password":"hunter2"}', 'POST', { authorization: 'Bearer x' }), ['authorization'])).toEqual([]);
  });

  it('holds for any permutation of query parameters (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z]{1,5}$/), fc.stringMatching(/^[a-z0-9]{0,5}$/)), { selector: ([key]) => key, maxLength: 6 }), (pairs) => {
        const query = new URLSearchParams(pairs).toString();
        const reversed = new URLSearchParams([...pairs].reverse()).toString();
        return requestDifferences(recorded({ url: `/p?${query}`, body: '' }), live(`http://h/p?${reversed}`, ''), []).length === 0;
      }),
    );
  });

  it('holds for any key order of a JSON body (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.jsonValue()), (object) => {
        const reversed = Object.fromEntries(Object.entries(object).reverse());
        return bodyMatches(JSON.stringify(object), JSON.stringify(reversed));
      }),
    );
  });
});

describe('textMatches', () => {
  it('treats a redacted part as a wildcard and nothing else', () => {
    expect(textMatches('token=[REDACTED]&x=1', 'token=abc&x=1')).toBe(true);
    expect(textMatches('token=[REDACTED]&x=1', 'token=abc&x=2')).toBe(false);
    expect(textMatches('a.b', 'axb')).toBe(false);
  });
});

describe('MockMatcher', () => {
  it('hands out identical recordings in order, then repeats the last, and reports the unused', () => {
    const matcher = new MockMatcher([mock('m0', {}), mock('m1', {}), mock('other', { url: '/other' })], []);
    const request = live('http://api.test/items?a=1&b=2');
    expect([matcher.take(request), matcher.take(request), matcher.take(request)].map((found) => found?.name)).toEqual(['m0', 'm1', 'm1']);
    expect(matcher.unused().map((found) => found.name)).toEqual(['other']);
    expect(matcher.take(live('http://api.test/nothing'))).toBeUndefined();
  });
});
