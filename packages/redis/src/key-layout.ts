// The one key layout of every store in this package: `<prefix><kind>:{<escaped tag>}[:<rest>...]`.
//
// - `kind` is a fixed word per store (`cache`, `lease`, ...), so one store's keys never start like
//   another kind's, whatever the user names things.
// - The tag (a cache or memory namespace, a lease resource, a rate-limit key, a state scope, an
//   agent's inbox, a BullMQ queue) sits between braces, escaped so that it never contains a brace:
//   `{llm}` can never be the start of `{llm:v2}`, and the braces are the Redis Cluster hash tag, so
//   every key one operation touches lands on one slot.
// - The prefix may hold neither braces nor glob characters (see `validatePrefix`), so the first
//   brace of a key is always ours.

/** The store-kind segment: one word per store, none a suffix or prefix of another. */
export type StoreKind = 'cache' | 'circuit' | 'ratelimit' | 'lease' | 'state' | 'memory' | 'mailbox' | 'bull' | 'durable' | 'flight';

// `%` first (it is the escape itself), then what would end the tag early or join two parts ambiguously.
const reserved = /[%{}:]/g;
// A lone surrogate becomes U+FFFD on its way to Redis (UTF-8), so two different names would meet.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * @internal Escapes one part of a hash tag: `%`, `{`, `}` and `:` as `%XX`, lone surrogates as
 * `%uXXXX`. Injective, and the result holds no brace, so `{<escaped>}` ends where the name ends.
 */
export function escapeTagPart(text: string): string {
  return text
    .replace(reserved, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
    .replace(loneSurrogate, (character) => `%u${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * @internal The hash-tagged base of a store's keys for one tag: `<prefix><kind>:{<parts escaped,
 * joined by ':'>}`. Append `:<rest>` for the keys inside it; {@link storeKey} does both.
 */
export function tagBase(prefix: string, kind: StoreKind, tag: string | readonly string[]): string {
  const parts = typeof tag === 'string' ? [tag] : tag;
  return `${prefix}${kind}:{${parts.map(escapeTagPart).join(':')}}`;
}

/** @internal A key of the layout: `<prefix><kind>:{<tag>}` followed by `:<rest>` for each rest part. */
export function storeKey(prefix: string, kind: StoreKind, tag: string | readonly string[], ...rest: readonly string[]): string {
  const base = tagBase(prefix, kind, tag);
  return rest.length === 0 ? base : `${base}:${rest.join(':')}`;
}

/**
 * @internal The BullMQ `prefix` of one queue: `<prefix>bull:{<queue name>}`. BullMQ appends
 * `:<queue name>:<key>`, so every key of the queue shares the tag (one Cluster slot, as BullMQ's
 * scripts need) and no other store's name can reach it.
 */
export function bullPrefix(prefix: string, queueName: string): string {
  return tagBase(prefix, 'bull', queueName);
}

/** @internal A name of a kind without a tag (a pub/sub channel every tag shares): `<prefix><kind>:<rest>`. */
export function kindName(prefix: string, kind: StoreKind, ...rest: readonly string[]): string {
  return `${prefix}${kind}:${rest.join(':')}`;
}

/** @internal Escapes SCAN/KEYS glob syntax (`* ? [ ] \`), so `text` matches only itself. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * @internal A SCAN pattern for every key that starts with `literal` (a {@link tagBase} or a key
 * prefix made from one). The literal is escaped: a backslash or glob character in a name can never
 * widen the match.
 */
export function startsWithPattern(literal: string): string {
  return `${escapeGlob(literal)}*`;
}
