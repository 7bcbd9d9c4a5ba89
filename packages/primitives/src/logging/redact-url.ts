import { REDACTED, isSensitiveKey, isSensitiveParameter, redactText, type RedactOptions } from './redact.js';

/**
 * A URL with its userinfo password, secret query values (`api_key`, `token`, `key`, `code`, `sig`, or any
 * credential-looking value) and credentials in its path or fragment replaced. A host-less URL
 * (`/v1/items?key=...`, `v1/items?key=...`) stays host-less with its path as written, `//host/...`
 * keeps its host; a URL with nothing to hide is returned as it was written.
 *
 * @example
 * ```ts
 * redactUrl('https://app:pw@api.test/v1?key=AIza...&page=2'); // 'https://app:%5BREDACTED%5D@api.test/v1?key=%5BREDACTED%5D&page=2'
 * ```
 */
export function redactUrl(url: string, options: RedactOptions = {}): string {
  const replacement = options.replacement ?? REDACTED;
  let parsed: URL;
  try {
    parsed = new URL(url, 'http://host.invalid');
  } catch {
    return redactText(url, replacement);
  }
  let changed = false;
  if (parsed.password !== '') {
    parsed.password = replacement;
    changed = true;
  }
  // `https://ghp_...@github.com/...`: a token written as the user name.
  if (parsed.username !== '' && redactText(safeDecode(parsed.username), replacement) !== safeDecode(parsed.username)) {
    parsed.username = replacement;
    changed = true;
  }
  const params = [...parsed.searchParams];
  const redactedParams = params.map(([name, value]): [string, string] => [name, isSensitiveParameter(name, options) ? replacement : redactText(value, replacement)]);
  if (redactedParams.some(([, value], index) => value !== params[index]![1])) {
    parsed.search = new URLSearchParams(redactedParams).toString();
    changed = true;
  }
  // Tokens in the path (`/bot<token>/`, webhook URLs) and fragments (`#access_token=...`).
  // Read with the host: some shapes (Slack webhooks) are only recognisable with it.
  const hostAndPath = redactText(`${parsed.host}${parsed.pathname}`, replacement);
  const path = hostAndPath.startsWith(parsed.host) ? hostAndPath.slice(parsed.host.length) : redactText(parsed.pathname, replacement);
  const hash = redactText(parsed.hash, replacement);
  if (path !== parsed.pathname || hash !== parsed.hash) {
    parsed.pathname = path;
    parsed.hash = hash;
    changed = true;
  }
  if (!changed) return url;
  if (hasScheme.test(url)) return parsed.toString();
  // `//host/path` (a request target may start with `//`) keeps its host, without the made-up scheme.
  if (protocolRelative.test(url)) return parsed.toString().slice(parsed.protocol.length);
  // A path (`/a/../b`, `v1/items`, `?q`) keeps the path as written: never the placeholder host, nor a
  // normalised path that would hide `..` segments from the log.
  const rawPath = /^[^?#]*/.exec(url.trimStart())![0];
  return `${redactText(rawPath, replacement)}${parsed.search}${parsed.hash}`;
}

const hasScheme = /^\s*[a-z][a-z0-9+.-]*:/i;
// What the URL parser reads as `//authority`: two slashes or backslashes after leading spaces.
const protocolRelative = /^\s*[\\/]{2}/;

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/**
 * HTTP headers with secret names (`authorization`, `cookie`, `set-cookie`, `x-api-key`, `x-custom-auth`,
 * `x-amz-security-token`...) replaced and credentials inside the other values hidden.
 */
export function redactHeaders(headers: Readonly<Record<string, string>>, options: RedactOptions = {}): Record<string, string> {
  const replacement = options.replacement ?? REDACTED;
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    result[name] = isSensitiveKey(name, options) ? replacement : redactText(value, replacement);
  }
  return result;
}
