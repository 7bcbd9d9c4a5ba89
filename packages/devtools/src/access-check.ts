import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Compares the request's token with the server's in constant time: both are hashed first, so
 * neither the content nor the length of the secret leaks through how long a refusal takes.
 */
export function tokenMatches(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token a request carries: the `token` query parameter, or the `x-devtools-token` header. */
export function requestToken(request: IncomingMessage, url: URL): string | null {
  const header = request.headers['x-devtools-token'];
  if (typeof header === 'string') return header;
  return url.searchParams.get('token');
}

/**
 * True when a state-changing request comes from the page itself: its `Origin` must name this
 * server (as the `Host` header does), and a browser's `Sec-Fetch-Site`, when sent, must say
 * `same-origin`. A request with no `Origin` at all is refused: every browser sends one on POST, and
 * a page elsewhere must never be able to resume a run.
 */
export function isSameOrigin(request: IncomingMessage): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = request.headers.origin;
  const host = request.headers.host;
  if (typeof origin !== 'string' || typeof host !== 'string') return false;
  return origin === `http://${host}`;
}

/**
 * True when the `Host` header names the address the server listens on (or `localhost` for a
 * loopback one): a DNS-rebinding page reaches the port under another host name and is refused.
 */
export function isExpectedHost(request: IncomingMessage, allowedHosts: ReadonlySet<string> | undefined): boolean {
  // Listening on every interface, the names it is reached by are unknown: the token guards it.
  if (allowedHosts === undefined) return true;
  const host = request.headers.host;
  return typeof host === 'string' && allowedHosts.has(host.toLowerCase());
}
