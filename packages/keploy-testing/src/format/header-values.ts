/**
 * Repeated header values, the way Keploy writes them: joined with `,` (Go's `strings.Join(values, ",")`),
 * in one string per header name.
 */
export const KEPLOY_HEADER_SEPARATOR = ',';

/** The values of one header as a list: `Set-Cookie` values one by one (they hold commas of their own). */
export function headerValues(headers: Headers, name: string): string[] | undefined {
  const lower = name.toLowerCase();
  if (lower === 'set-cookie') {
    const cookies = headers.getSetCookie();
    return cookies.length === 0 ? undefined : cookies;
  }
  const value = headers.get(lower);
  return value === null ? undefined : [value];
}

const normalizeList = (value: string): string => value.split(',').map((part) => part.trim()).join(',');

/**
 * True when a recorded header value (one string, repeated values joined by `,` or `, `) equals the actual
 * list. `Set-Cookie` is compared as the list it is, never split on its commas; for other headers the
 * separators' spaces do not count (fetch joins with `, `, Keploy with `,`).
 */
export function headerValueMatches(recorded: string, actual: readonly string[], name: string): boolean {
  if (name.toLowerCase() === 'set-cookie') return recorded === actual.join(KEPLOY_HEADER_SEPARATOR) || recorded === actual.join(', ');
  return normalizeList(recorded) === normalizeList(actual.join(','));
}

// A comma starts a new cookie only when a `name=` follows; the comma of `Expires=Wed, 21 Oct 2015` does not.
const cookieBoundary = /,(?=\s*[^\s=;,]+=)/;

/**
 * Splits a recorded `Set-Cookie` line back into its cookies to replay them as separate headers: at a
 * comma followed by `name=`, never at the comma of an `Expires` date.
 */
export function splitSetCookie(recorded: string): string[] {
  return recorded.split(cookieBoundary).map((cookie) => cookie.trim()).filter((cookie) => cookie !== '');
}
