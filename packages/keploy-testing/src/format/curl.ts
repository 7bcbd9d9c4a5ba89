import type { RecordedRequest } from '../model.js';

/** One shell word in single quotes: nothing inside is expanded (`;`, `&`, `$`, backticks are plain text). */
const quote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;
const token = /^[A-Z]+$/;

/**
 * The request as a curl command, in the layout Keploy writes under `curl:`, every argument quoted for a
 * POSIX shell: pasting it runs curl and nothing else, whatever the recorded URL, headers or body hold,
 * and sends the recorded body itself (one that starts with `@` goes as `--data-raw`, not read as a file).
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
  // curl reads `--data @name` from the file `name`: pasted, a recorded body `@~/.ssh/id_rsa` would post
  // that file. `--data-raw` sends it as written; other bodies keep Keploy's `--data`.
  if (request.body !== '') lines.push(`  ${request.body.startsWith('@') ? '--data-raw' : '--data'} ${quote(request.body)}`);
  return lines.join(' \\\n');
}
