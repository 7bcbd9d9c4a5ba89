import { REDACTED, isSensitiveParameter, redact, redactText, type RedactOptions } from './redact.js';

/**
 * An `application/x-www-form-urlencoded` body (or a `text/plain` body written the same way) with secret
 * fields (`password`, `client_secret`, `code`...) and credential-looking values replaced. The text is
 * returned as it was when there is nothing to hide.
 */
export function redactFormBody(body: string, options: RedactOptions = {}): string {
  const replacement = options.replacement ?? REDACTED;
  const params = [...new URLSearchParams(body)];
  const redacted = params.map(([name, value]): [string, string] => [name, isSensitiveParameter(name, options) ? replacement : redactText(value, replacement)]);
  if (redacted.every(([, value], index) => value === params[index]![1])) return body;
  return new URLSearchParams(redacted).toString();
}

// `a=1&b=two`: field names without spaces, values without `&` or whitespace. Linear: every repetition
// starts with the `&` that the value before it cannot contain.
const formShape = /^[\w.%+*[\]-]{1,256}=[^&\s]*(?:&[\w.%+*[\]-]{1,256}=[^&\s]*)*\s?$/;

/**
 * A `multipart/form-data` body with the content of secret fields (`name="password"`) replaced and every
 * other part redacted by its own content type. Without a boundary in `contentType` the body is redacted as text.
 */
export function redactMultipartBody(body: string, contentType: string, options: RedactOptions = {}): string {
  const replacement = options.replacement ?? REDACTED;
  const boundary = /boundary=(?:"([^"]{1,200})"|([^;\s]{1,200}))/i.exec(contentType);
  const delimiter = boundary === null ? undefined : `--${boundary[1] ?? boundary[2] ?? ''}`;
  if (delimiter === undefined || !body.includes(delimiter)) return redactText(body, replacement);
  const parts = body.split(delimiter);
  // parts[0] is the preamble; a part starting with `--` is the end marker and its epilogue.
  for (let index = 1; index < parts.length; index++) {
    const part = parts[index]!;
    if (part.startsWith('--')) continue;
    const separator = part.includes('\r\n\r\n') ? '\r\n\r\n' : '\n\n';
    const headerEnd = part.indexOf(separator);
    if (headerEnd === -1) {
      parts[index] = redactText(part, replacement);
      continue;
    }
    const headers = part.slice(0, headerEnd);
    const rest = part.slice(headerEnd + separator.length);
    const lineEnd = rest.endsWith('\r\n') ? '\r\n' : rest.endsWith('\n') ? '\n' : '';
    const content = rest.slice(0, rest.length - lineEnd.length);
    const name = /;\s*name="([^"]*)"/i.exec(headers)?.[1];
    const partType = /^content-type:\s*([^\r\n]*)/im.exec(headers)?.[1] ?? 'text/plain';
    const hidden = name !== undefined && isSensitiveParameter(name, options) ? replacement : redactBody(content, partType, options);
    parts[index] = `${redactText(headers, replacement)}${separator}${hidden}${lineEnd}`;
  }
  return parts.join(delimiter);
}

/** The redacted JSON text of `body`, the original text when nothing was hidden, or undefined when it is not a JSON object or array. */
function redactJsonText(body: string, options: RedactOptions): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  // The copy is cut at `maxDepth`, so writing it cannot overflow the stack, whatever the nesting.
  const result = JSON.stringify(redact(parsed, { ...options, maxDepth: options.maxDepth ?? 64 }));
  let original: string | undefined;
  try {
    original = JSON.stringify(parsed);
  } catch {
    // Nested deeper than the stack allows (`[[[[...`): the cut copy is what can be written.
    original = undefined;
  }
  // Keep the recorded bytes (formatting) when there was nothing to hide.
  return result === original ? body : result;
}

/**
 * A request or response body with its secrets hidden, read by its content type: JSON fields at any depth,
 * urlencoded and multipart form fields, `text/plain` bodies written as `a=1&password=...`, the JSON `data:`
 * lines of server-sent events, and credential shapes in any other text.
 *
 * @example
 * ```ts
 * redactBody('{"user":"ada","pwd":"hunter2"}', 'application/json'); // '{"user":"ada","pwd":"[REDACTED]"}'
 * ```
 */
export function redactBody(body: string, contentType: string, options: RedactOptions = {}): string {
  if (body === '') return body;
  const replacement = options.replacement ?? REDACTED;
  const type = contentType.toLowerCase();
  if (type.includes('multipart/form-data')) return redactMultipartBody(body, contentType, options);
  if (type.includes('application/x-www-form-urlencoded')) return redactFormBody(body, options);
  const json = redactJsonText(body, options);
  if (json !== undefined) return json;
  if (type.includes('text/event-stream') || body.includes('data:')) {
    return body
      .split('\n')
      .map((line) => {
        const match = /^data:\s?(.*)$/.exec(line);
        if (match === null) return redactText(line, replacement);
        const redacted = redactJsonText(match[1]!, options);
        return redacted === undefined ? redactText(line, replacement) : `data: ${redacted}`;
      })
      .join('\n');
  }
  if (body.length <= 1_000_000 && formShape.test(body)) return redactFormBody(body, options);
  return redactText(body, replacement);
}
