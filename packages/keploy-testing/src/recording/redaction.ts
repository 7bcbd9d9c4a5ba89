import {
  REDACTED,
  redactBody as redactBodyShared,
  redactHeaders as redactHeadersShared,
  redactText as redactTextShared,
  redactUrl as redactUrlShared,
} from '@tta/primitives/logging';

/** What to hide before anything is written. */
export interface RedactionRules {
  /** Extra header, query and body field names to treat as secret (the defaults stay). */
  readonly keys: readonly string[];
  /** Literal values scrubbed wherever they appear. */
  readonly secrets: readonly string[];
}

// Recordings use the toolkit's one redaction module (the same shapes as logs and spans); only the
// literal secrets given to the session are recording-specific.
const scrubLiterals = (text: string, rules: RedactionRules): string => {
  let result = text;
  for (const secret of rules.secrets) if (secret !== '') result = result.split(secret).join(REDACTED);
  return result;
};

/** Hides credential-looking parts of free text (provider keys, bearer tokens, JWTs, `password=...` pairs...) and the literal secrets. */
export function redactText(text: string, rules: RedactionRules): string {
  return redactTextShared(scrubLiterals(text, rules));
}

/** Headers with secret names (authorization, cookie, set-cookie, x-api-key, x-custom-auth, ...) or secret-looking values replaced. */
export function redactHeaders(headers: Readonly<Record<string, string>>, rules: RedactionRules): Record<string, string> {
  const result = redactHeadersShared(headers, { keys: rules.keys });
  for (const name of Object.keys(result)) {
    const value = result[name]!;
    // A header whose value holds a credential shape is hidden whole: its other parts say nothing useful.
    result[name] = value !== REDACTED && value.includes(REDACTED) ? REDACTED : scrubLiterals(value, rules);
  }
  return result;
}

/** A URL with secret query parameters (`api_key`, `token`, `key`, `code`, ...), a userinfo password and path tokens replaced. */
export function redactUrl(url: string, rules: RedactionRules): string {
  return scrubLiterals(redactUrlShared(url, { keys: rules.keys }), rules);
}

/** Hides secret fields of a JSON, form, multipart or text body (and of the JSON `data:` lines of server-sent events). */
export function redactBody(body: string, contentType: string, rules: RedactionRules): string {
  return scrubLiterals(redactBodyShared(body, contentType, { keys: rules.keys, maxDepth: 64 }), rules);
}
