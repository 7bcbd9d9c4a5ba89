import { presentIndicesAfter } from '../core/present-indices.js';
import { binarySummary } from './binary-summary.js';
import { secretRules, sensitiveExactKeys, sensitiveKeySuffixes, sensitiveParameterNames, type SecretRule } from './secret-patterns.js';

/** Replacement written in place of a secret. */
export const REDACTED = '[REDACTED]';

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

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Every keyword of every rule, lower-cased, without those that contain a shorter one, as one
// case-insensitive regular expression shaped as a trie (shared prefixes written once, which V8 scans
// faster than a flat list): a text it does not match has no secret, found with one scan.
const allKeywords = [...new Set(secretRules.flatMap((rule) => rule.keywords.map((keyword) => keyword.toLowerCase())))];
const minimalKeywords = allKeywords.filter((keyword) => !allKeywords.some((other) => other !== keyword && keyword.includes(other)));
interface TrieNode {
  end: boolean;
  readonly next: Map<string, TrieNode>;
}
const trieSource = (node: TrieNode): string => {
  if (node.end) return '';
  const branches = [...node.next].map(([character, child]) => escapeRegExp(character) + trieSource(child));
  return branches.length === 1 ? branches[0]! : `(?:${branches.join('|')})`;
};
const keywordTrie: TrieNode = { end: false, next: new Map() };
for (const keyword of minimalKeywords) {
  let node = keywordTrie;
  for (const character of keyword) {
    let child = node.next.get(character);
    if (child === undefined) node.next.set(character, (child = { end: false, next: new Map() }));
    node = child;
  }
  node.end = true;
}
const keywordScan = new RegExp(trieSource(keywordTrie), 'i');
const foldedKeywords = new Map<SecretRule, readonly string[]>(secretRules.map((rule) => [rule, rule.exactKeywords === true ? rule.keywords : rule.keywords.map((keyword) => keyword.toLowerCase())]));

const mayMatch = (rule: SecretRule, text: string, lowerText: string): boolean => {
  const haystack = rule.exactKeywords === true ? text : lowerText;
  for (const keyword of foldedKeywords.get(rule) ?? rule.keywords) if (haystack.includes(keyword)) return true;
  return false;
};

const normalize = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * True when a key looks like it holds a secret: `password`, `pwd`, `apiKey`, `x-api-key`, `authorization`,
 * `x-custom-auth`, `cookie`, `clientSecret`, `githubToken`, `secretAccessKey`, `sentryDsn`, `pass`, `pw`... Counters such
 * as `promptTokens` or `maxTokens` and names such as `authorName` are not secrets.
 */
export function isSensitiveKey(key: string, options: RedactOptions = {}): boolean {
  const normalized = normalize(key);
  const extra = options.keys ?? [];
  for (const candidate of extra) if (normalize(candidate) === normalized) return true;
  if (options.replaceDefaults) return false;
  for (const suffix of sensitiveKeySuffixes) if (normalized.endsWith(suffix)) return true;
  if (sensitiveExactKeys.includes(normalized)) return true;
  return false;
}

/**
 * True when a URL query, form or multipart field name holds a secret: every {@link isSensitiveKey} name,
 * plus names that are secrets only as parameters (`?key=` of Google APIs, the OAuth `?code=`, `?sig=`).
 */
export function isSensitiveParameter(name: string, options: RedactOptions = {}): boolean {
  if (isSensitiveKey(name, options)) return true;
  if (options.replaceDefaults) return false;
  return sensitiveParameterNames.includes(normalize(name));
}

/**
 * True when a string value looks like, or contains, a credential: provider keys (`sk-...`, `sk_live_...`,
 * `AIza...`, `ghp_...`, `glpat-...`, `xoxb-...`, `hf_...`, `npm_...`, `ya29....`, AWS ids), bearer tokens,
 * JWTs, PEM private keys, URL passwords and `password=...` pairs.
 */
export function isSecretLookingValue(value: string): boolean {
  return redactText(value) !== value;
}

/**
 * Replaces every credential-looking part of a free text (a log message, an error message) and
 * keeps the rest: `'call failed: Bearer abc.def'` becomes `'call failed: [REDACTED]'`, and
 * `'postgres://app:pw@db/main'` becomes `'postgres://app:[REDACTED]@db/main'`.
 */
export function redactText(text: string, replacement: string = REDACTED): string {
  if (!keywordScan.test(text)) return text;
  const lowerText = text.toLowerCase();
  let result = text;
  for (const rule of secretRules) {
    if (!mayMatch(rule, text, lowerText)) continue;
    rule.pattern.lastIndex = 0;
    result = result.replace(rule.pattern, (match: string, prefix: unknown, secret: unknown) => {
      if (rule.keepPrefix === true && typeof prefix === 'string' && typeof secret === 'string') {
        // Already hidden (`password=[REDACTED]` read again): keep it as it is.
        // (An empty replacement would match every secret here, so it never counts as already hidden.)
        if (replacement !== '' && (secret.startsWith(replacement) || replacement.startsWith(secret))) return match;
        return rule.accept === undefined || rule.accept(secret, match) ? prefix + replacement : match;
      }
      return rule.accept === undefined || rule.accept(match, match) ? replacement : match;
    });
  }
  return result;
}

// Field names repeat on every log line: names found safe are remembered (short ones only, up to 1000,
// as own flat copies), so the usual key costs one set lookup. A name that holds a credential is never
// remembered, so the memo keeps no secret alive.
const safeKeys = new Set<string>();
const maxSafeKeys = 1000;
const maxRememberedKeyLength = 64;

/** An object or Map key with any credential in it hidden (`{ [apiKey]: client }`, URLs with passwords as keys). */
function redactKey(key: string, replacement: string): string {
  if (safeKeys.has(key)) return key;
  const shown = redactText(key, replacement);
  if (shown === key && safeKeys.size < maxSafeKeys && key.length <= maxRememberedKeyLength) safeKeys.add(` ${key}`.slice(1));
  return shown;
}

/**
 * Returns a copy of `value` with secret-looking keys and values replaced, and credentials used as
 * keys hidden in the key itself. Binary data (a `Buffer`, a typed array, an `ArrayBuffer`) becomes a
 * short description such as `'[Buffer: 1048576 bytes]'`. Handles nested objects,
 * arrays, `Map`, errors and cycles; never mutates its input.
 */
export function redact<T>(value: T, options: RedactOptions = {}): T {
  const replacement = options.replacement ?? REDACTED;
  const maxDepth = options.maxDepth ?? 8;
  const seen = new WeakMap<object, unknown>();
  // A flag (`requiresAuth: true`) or an absent value carries no secret: keep it readable.
  const hide = (item: unknown): unknown => (typeof item === 'boolean' || item === null || item === undefined ? item : replacement);

  const visitUnguarded = (current: unknown, depth: number): unknown => {
    if (typeof current === 'string') return redactText(current, replacement);
    if (typeof current !== 'object' || current === null) return current;
    if (seen.has(current)) return seen.get(current);
    if (depth > maxDepth) return '[Truncated]';
    if (Array.isArray(current)) {
      const copy: unknown[] = [];
      seen.set(current, copy);
      const length = current.length;
      for (let index = 0; index < length; index++) {
        const item: unknown = current[index];
        if (item === undefined && !(index in current)) {
          // A sparse array keeps its holes, copied in time proportional to what it holds: walking
          // `length = 2 ** 32 - 1` holes one by one would exhaust the heap.
          for (const present of presentIndicesAfter(current, index)) copy[present] = visit(current[present], depth + 1);
          copy.length = length;
          break;
        }
        copy.push(visit(item, depth + 1));
      }
      return copy;
    }
    if (current instanceof Map) {
      const copy = new Map<unknown, unknown>();
      seen.set(current, copy);
      for (const [key, item] of current) {
        if (typeof key !== 'string') copy.set(key, visit(item, depth + 1));
        else copy.set(redactKey(key, replacement), isSensitiveKey(key, options) ? hide(item) : visit(item, depth + 1));
      }
      return copy;
    }
    if (current instanceof Date) return current;
    const binary = binarySummary(current);
    if (binary !== undefined) return binary;
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
      // A credential can be a key too (`{ [apiKey]: client }`, a map of URLs with passwords).
      copy[redactKey(key, replacement)] = isSensitiveKey(key, options) ? hide(item) : visit(item, depth + 1);
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
