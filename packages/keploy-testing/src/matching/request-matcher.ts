import { REDACTED } from '@tta/primitives/logging';
import { getHeader } from '../format/headers.js';
import type { HttpMock, RecordedRequest } from '../model.js';
import { parseJsonLossless } from './lossless-json.js';

/** A live request reduced to what matching reads. */
export interface LiveRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body: string;
}

const sortedQuery = (params: URLSearchParams): Array<[string, string]> =>
  [...params].sort(([leftKey, leftValue], [rightKey, rightValue]) => (leftKey === rightKey ? (leftValue < rightValue ? -1 : leftValue > rightValue ? 1 : 0) : leftKey < rightKey ? -1 : 1));

const valueMatches = (recorded: string, live: string): boolean => recorded === REDACTED || recorded === live;

/**
 * Text equality where a `[REDACTED]` part of the recorded text stands for anything. Linear in the text:
 * the literal pieces are found in order with `indexOf` (leftmost is always right for a pattern whose only
 * wildcard is "anything"), so no input can make it backtrack.
 */
export function textMatches(recorded: string, live: string): boolean {
  if (recorded === live) return true;
  if (!recorded.includes(REDACTED)) return false;
  const pieces = recorded.split(REDACTED);
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (first.length + last.length > live.length || !live.startsWith(first) || !live.endsWith(last)) return false;
  let at = first.length;
  const end = live.length - last.length;
  for (let index = 1; index < pieces.length - 1; index++) {
    const piece = pieces[index]!;
    const found = live.indexOf(piece, at);
    if (found === -1 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

/**
 * Deep equality of JSON values, ignoring key order; a recorded `"[REDACTED]"` matches any value. Only own
 * keys count (`constructor` is not found on a body that lacks it), and integers beyond 2^53 compare exactly
 * when both sides come from `parseJsonLossless`.
 */
export function jsonMatches(recorded: unknown, live: unknown): boolean {
  if (recorded === REDACTED) return true;
  if (Object.is(recorded, live)) return true;
  if (typeof recorded !== 'object' || typeof live !== 'object' || recorded === null || live === null) return false;
  if (Array.isArray(recorded)) {
    return Array.isArray(live) && recorded.length === live.length && recorded.every((item, index) => jsonMatches(item, live[index]));
  }
  if (Array.isArray(live)) return false;
  const recordedKeys = Object.keys(recorded);
  if (recordedKeys.length !== Object.keys(live).length) return false;
  return recordedKeys.every((key) => Object.hasOwn(live, key) && jsonMatches((recorded as Record<string, unknown>)[key], (live as Record<string, unknown>)[key]));
}

/** Canonical body comparison: JSON ignoring key order, forms ignoring field order, otherwise text. */
export function bodyMatches(recorded: string, live: string, contentType = ''): boolean {
  if (recorded === live) return true;
  if (recorded.trim() === '' || live.trim() === '') return recorded.trim() === live.trim();
  const recordedJson = parseJsonLossless(recorded);
  if (recordedJson.ok) {
    const liveJson = parseJsonLossless(live);
    if (liveJson.ok) {
      try {
        return jsonMatches(recordedJson.value, liveJson.value);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        // Nested deeper than the stack allows: matched as text, as a body that is not JSON is.
        return textMatches(recorded, live);
      }
    }
  }
  if (contentType.toLowerCase().includes('application/x-www-form-urlencoded')) {
    const left = sortedQuery(new URLSearchParams(recorded));
    const right = sortedQuery(new URLSearchParams(live));
    return left.length === right.length && left.every(([key, value], index) => key === right[index]![0] && valueMatches(value, right[index]![1]));
  }
  return textMatches(recorded, live);
}

/** What differs between a recording and a live request: `method`, `url`, `query`, `body`, `header <name>`. */
export function requestDifferences(recorded: RecordedRequest, live: LiveRequest, matchHeaders: readonly string[]): string[] {
  const differences: string[] = [];
  if (recorded.method.toUpperCase() !== live.method.toUpperCase()) differences.push('method');
  let url: URL | undefined;
  try {
    url = new URL(recorded.url, 'http://host.invalid');
  } catch {
    differences.push('url');
  }
  if (url !== undefined) {
    const hostless = recorded.url.startsWith('/');
    const sameTarget = hostless || (url.protocol === live.url.protocol && url.host === live.url.host);
    if (!sameTarget || url.pathname !== live.url.pathname) differences.push('url');
    const left = sortedQuery(url.searchParams);
    const right = sortedQuery(live.url.searchParams);
    const sameQuery = left.length === right.length && left.every(([key, value], index) => key === right[index]![0] && valueMatches(value, right[index]![1]));
    if (!sameQuery) differences.push('query');
  }
  if (!bodyMatches(recorded.body, live.body, live.headers.get('content-type') ?? '')) differences.push('body');
  for (const name of matchHeaders) {
    const expected = getHeader(recorded.headers, name);
    const actual = live.headers.get(name) ?? undefined;
    if (expected === undefined ? actual !== undefined : actual === undefined || !valueMatches(expected, actual)) differences.push(`header ${name}`);
  }
  return differences;
}

/** Method and path of a recorded URL, the key recordings are indexed by. */
const indexKey = (method: string, url: string): string => {
  try {
    return `${method.toUpperCase()} ${new URL(url, 'http://host.invalid').pathname}`;
  } catch {
    return `${method.toUpperCase()} ${url}`;
  }
};

/**
 * Holds the HTTP recordings of a session and hands them out: identical requests consume their
 * recordings in file order, then reuse the last one. Recordings are indexed by method and path, so a
 * lookup compares only the few that can match, however large the file.
 */
export class MockMatcher {
  private readonly used = new Set<HttpMock>();
  private readonly mocks: HttpMock[] = [];
  private readonly index = new Map<string, HttpMock[]>();

  constructor(mocks: readonly HttpMock[], private readonly matchHeaders: readonly string[]) {
    for (const mock of mocks) this.insert(mock);
  }

  private insert(mock: HttpMock): void {
    this.mocks.push(mock);
    const key = indexKey(mock.request.method, mock.request.url);
    const bucket = this.index.get(key);
    if (bucket === undefined) this.index.set(key, [mock]);
    else bucket.push(mock);
  }

  /** Adds a new recording (update mode); it counts as used. */
  add(mock: HttpMock): void {
    this.insert(mock);
    this.used.add(mock);
  }

  /** The recording for `live`, marked used; undefined when none matches. */
  take(live: LiveRequest): HttpMock | undefined {
    const bucket = this.index.get(`${live.method.toUpperCase()} ${live.url.pathname}`);
    if (bucket === undefined) return undefined;
    let last: HttpMock | undefined;
    for (const mock of bucket) {
      if (requestDifferences(mock.request, live, this.matchHeaders).length !== 0) continue;
      if (!this.used.has(mock)) {
        this.used.add(mock);
        return mock;
      }
      last = mock;
    }
    return last;
  }

  /** A hint naming the closest recordings (same path) and what differs, for error messages. */
  hint(live: LiveRequest): string {
    const near = this.mocks
      .map((mock) => ({ mock, differences: requestDifferences(mock.request, live, this.matchHeaders) }))
      .filter(({ differences }) => !differences.includes('url'))
      .slice(0, 3);
    if (near.length === 0) return `It has ${this.mocks.length} HTTP recording(s), none for this path.`;
    return `Closest: ${near.map(({ mock, differences }) => `${mock.name} (differs in ${differences.join(', ')})`).join('; ')}.`;
  }

  /** Recordings never handed out. */
  unused(): HttpMock[] {
    return this.mocks.filter((mock) => !this.used.has(mock));
  }
}
