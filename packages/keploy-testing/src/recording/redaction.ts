import { REDACTED, isSecretLookingValue, isSensitiveKey, redact } from '@tta/primitives';

/** What to hide before anything is written. */
export interface RedactionRules {
  /** Extra header, query and body field names to treat as secret (the defaults stay). */
  readonly keys: readonly string[];
  /** Literal values scrubbed wherever they appear. */
  readonly secrets: readonly string[];
}

const textSecretPatterns = [
  /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{6,}/g,
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  /\b(ghp|gho|ghs|github_pat|xox[abpr])_[A-Za-z0-9_]{16,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
];

const scrubLiterals = (text: string, rules: RedactionRules): string => {
  let result = text;
  for (const secret of rules.secrets) if (secret !== '') result = result.split(secret).join(REDACTED);
  return result;
};

/** Hides credential-looking tokens inside free text (bearer tokens, `sk-` keys, GitHub and AWS keys) and the literal secrets. */
export function redactText(text: string, rules: RedactionRules): string {
  let result = scrubLiterals(text, rules);
  for (const pattern of textSecretPatterns) result = result.replace(pattern, REDACTED);
  return result;
}

const sensitive = (key: string, rules: RedactionRules): boolean => isSensitiveKey(key, { keys: rules.keys });

/** Headers with secret names (authorization, cookie, set-cookie, x-api-key, ...) or secret-looking values replaced. */
export function redactHeaders(headers: Readonly<Record<string, string>>, rules: RedactionRules): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    result[name] = sensitive(name, rules) || isSecretLookingValue(value) ? REDACTED : redactText(value, rules);
  }
  return result;
}

/** A URL with secret query parameters (`api_key`, `token`, ...) and a userinfo password replaced. */
export function redactUrl(url: string, rules: RedactionRules): string {
  const hostless = url.startsWith('/');
  let parsed: URL;
  try {
    parsed = new URL(url, 'http://host.invalid');
  } catch {
    return redactText(url, rules);
  }
  let changed = false;
  if (parsed.password !== '') {
    parsed.password = REDACTED;
    changed = true;
  }
  const params = [...parsed.searchParams];
  if (params.some(([key, value]) => sensitive(key, rules) || isSecretLookingValue(value))) {
    parsed.search = new URLSearchParams(
      params.map(([key, value]): [string, string] => [key, sensitive(key, rules) || isSecretLookingValue(value) ? REDACTED : value]),
    ).toString();
    changed = true;
  }
  const text = changed ? (hostless ? `${parsed.pathname}${parsed.search}` : parsed.toString()) : url;
  return scrubLiterals(text, rules);
}

const redactJsonText = (body: string, rules: RedactionRules): string | undefined => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const redacted = redact(parsed, { keys: rules.keys, maxDepth: 64 });
  const original = JSON.stringify(parsed);
  const result = JSON.stringify(redacted);
  // Keep the recorded bytes (formatting) when there was nothing to hide.
  return scrubLiterals(result === original ? body : result, rules);
};

/** Hides secret-looking fields of a JSON, form or text body (and of the JSON `data:` lines of server-sent events). */
export function redactBody(body: string, contentType: string, rules: RedactionRules): string {
  if (body === '') return body;
  const type = contentType.toLowerCase();
  if (type.includes('application/x-www-form-urlencoded')) {
    const params = [...new URLSearchParams(body)];
    if (params.some(([key]) => sensitive(key, rules))) {
      return redactText(new URLSearchParams(params.map(([key, value]): [string, string] => [key, sensitive(key, rules) ? REDACTED : value])).toString(), rules);
    }
    return redactText(body, rules);
  }
  const json = redactJsonText(body, rules);
  if (json !== undefined) return redactText(json, rules);
  if (type.includes('text/event-stream') || body.includes('data:')) {
    return body
      .split('\n')
      .map((line) => {
        const match = /^data:\s?(.*)$/.exec(line);
        if (match === null) return redactText(line, rules);
        const redacted = redactJsonText(match[1]!, rules);
        return redacted === undefined ? redactText(line, rules) : `data: ${redacted}`;
      })
      .join('\n');
  }
  return redactText(body, rules);
}
