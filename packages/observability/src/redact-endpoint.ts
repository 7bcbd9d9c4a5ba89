import { REDACTED } from '@tta/primitives/logging';

/**
 * `endpoint` fit for a log line: credentials in the URL (`user:password@`) and the query string
 * (where hosted backends put API keys) are replaced, the rest is kept so that the line still says
 * where spans were going.
 *
 * @example
 * ```ts fragment
 * redactEndpoint('https://user:pass@collector:4318/v1/traces?api_key=abc');
 * // 'https://[REDACTED]@collector:4318/v1/traces?[REDACTED]'
 * ```
 */
export function redactEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return REDACTED;
  }
  const hadCredentials = url.username !== '' || url.password !== '';
  const hadQuery = url.search !== '';
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  let text = url.toString();
  if (hadCredentials) text = text.replace('://', `://${REDACTED}@`);
  if (hadQuery) text += `?${REDACTED}`;
  return text;
}
