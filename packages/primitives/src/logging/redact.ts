/** Replacement written in place of a secret. */
export const REDACTED = '[REDACTED]';

const defaultSensitiveSuffixes = [
  'password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'authorization', 'cookie',
  'credential', 'credentials', 'privatekey', 'sessionid', 'bearer', 'signature',
];

/** Options of {@link redact} and {@link isSensitiveKey}. */
export interface RedactOptions {
  /**
   * Extra key names to treat as secret (compared without case, `-` or `_`).
   * @default []
   */
  readonly keys?: readonly string[];
  /**
   * Replace the default key rules instead of adding to them.
   * @default false
   */
  readonly replaceDefaults?: boolean;
  /**
   * Written in place of a secret.
   * @default '[REDACTED]'
   */
  readonly replacement?: string;
  /**
   * Deepest level of nesting copied; deeper values become `'[Truncated]'`.
   * @default 8
   */
  readonly maxDepth?: number;
}

const normalize = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * True when a key looks like it holds a secret: `password`, `apiKey`, `x-api-key`, `authorization`,
 * `cookie`, `clientSecret`, `githubToken`... Counters such as `promptTokens` are not secrets.
 */
export function isSensitiveKey(key: string, options: RedactOptions = {}): boolean {
  const normalized = normalize(key);
  const extra = options.keys ?? [];
  for (const candidate of extra) if (normalize(candidate) === normalized) return true;
  if (options.replaceDefaults) return false;
  for (const suffix of defaultSensitiveSuffixes) if (normalized.endsWith(suffix)) return true;
  return false;
}

// Credentials recognisable by their shape wherever they appear in a string.
const secretTextPatterns = [
  /\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{6,}/gi,
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  /\b(ghp|gho|ghs|github_pat|xox[abpr])_[A-Za-z0-9_]{16,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
];

/** True when a string value looks like, or contains, a credential (bearer tokens, `sk-...` keys). */
export function isSecretLookingValue(value: string): boolean {
  for (const pattern of secretTextPatterns) {
    pattern.lastIndex = 0;
    if (pattern.test(value)) return true;
  }
  return false;
}

/**
 * Replaces every credential-looking part of a free text (a log message, an error message) and
 * keeps the rest: `'call failed: Bearer abc.def'` becomes `'call failed: [REDACTED]'`.
 */
export function redactText(text: string, replacement: string = REDACTED): string {
  let result = text;
  for (const pattern of secretTextPatterns) {
    pattern.lastIndex = 0;
    result = result.replace(pattern, replacement);
  }
  return result;
}

/**
 * Returns a copy of `value` with secret-looking keys and values replaced. Handles nested objects,
 * arrays, `Map`, errors and cycles; never mutates its input.
 */
export function redact<T>(value: T, options: RedactOptions = {}): T {
  const replacement = options.replacement ?? REDACTED;
  const maxDepth = options.maxDepth ?? 8;
  const seen = new WeakMap<object, unknown>();

  const visitUnguarded = (current: unknown, depth: number): unknown => {
    if (typeof current === 'string') return isSecretLookingValue(current) ? redactText(current, replacement) : current;
    if (typeof current !== 'object' || current === null) return current;
    if (seen.has(current)) return seen.get(current);
    if (depth > maxDepth) return '[Truncated]';
    if (Array.isArray(current)) {
      const copy: unknown[] = [];
      seen.set(current, copy);
      for (const item of current) copy.push(visit(item, depth + 1));
      return copy;
    }
    if (current instanceof Map) {
      const copy = new Map<unknown, unknown>();
      seen.set(current, copy);
      for (const [key, item] of current) {
        copy.set(key, typeof key === 'string' && isSensitiveKey(key, options) ? replacement : visit(item, depth + 1));
      }
      return copy;
    }
    if (current instanceof Date) return current;
    const copy: Record<string, unknown> = {};
    seen.set(current, copy);
    if (current instanceof Error) {
      copy.name = current.name;
      copy.message = visit(current.message, depth + 1);
    }
    for (const key of Object.keys(current)) {
      let item: unknown;
      try {
        item = (current as Record<string, unknown>)[key];
      } catch {
        item = '[Unreadable]';
      }
      copy[key] = isSensitiveKey(key, options) ? replacement : visit(item, depth + 1);
    }
    return copy;
  };
  // A revoked proxy or a throwing trap loses that value, never the whole record (logging must not throw).
  const visit = (current: unknown, depth: number): unknown => {
    try {
      return visitUnguarded(current, depth);
    } catch {
      return '[Unreadable]';
    }
  };

  return visit(value, 0) as T;
}
