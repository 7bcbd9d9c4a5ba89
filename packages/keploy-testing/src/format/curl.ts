import type { RecordedRequest } from '../model.js';

/** One shell word in single quotes: nothing inside is expanded (`;`, `&`, `$`, backticks are plain text). */
const quote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;
const token = /^[A-Z]+$/;

/**
 * The request as a curl command, in the layout Keploy writes under `curl:`, every argument quoted for a
 * POSIX shell: pasting it runs curl and nothing else, whatever the recorded URL, headers or body hold.
 *
 * @example
 * ```ts
 * toCurl({ method: 'GET', url: 'http://localhost:3000/search?q=1&page=2', headers: {}, body: '', timestamp: '' });
 * // curl --request GET \
 * //   --url 'http://localhost:3000/search?q=1&page=2'
 * ```
 */
export function toCurl(request: RecordedRequest): string {
  const method = token.test(request.method) ? request.method : quote(request.method);
  const lines = [`curl --request ${method}`, `  --url ${quote(request.url)}`];
  for (const [name, value] of Object.entries(request.headers)) {
    // Keploy leaves Content-Length out: curl computes it from --data.
    if (name.toLowerCase() !== 'content-length') lines.push(`  --header ${quote(`${name}: ${value}`)}`);
  }
  if (request.body !== '') lines.push(`  --data ${quote(request.body)}`);
  return lines.join(' \\\n');
}
