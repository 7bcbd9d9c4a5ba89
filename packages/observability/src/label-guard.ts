import { isSecretLookingValue } from '@tta/primitives/logging';

/** The label value that stands for every value the guard refuses. */
export const otherLabel = 'other';

const maxLabelLength = 64;
// Values that identify a single request rather than a kind of work: URLs, UUIDs, long hex or
// digit runs, e-mail addresses, anything with whitespace (a prompt) or a query string.
const unboundedPatterns = [
  /\s/,
  /:\/\//,
  /[?&=@]/,
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i,
  /[0-9a-f]{16,}/i,
  /\d{9,}/,
];

/**
 * A copy of `value` that shares no memory with a longer string it may have been cut from (V8 keeps
 * a substring as a view into its parent): concatenating forces a flat copy of the few characters.
 */
const detachedCopy = (value: string): string => ` ${value}`.slice(1);

/** True when `value` looks like an id, a URL, free text or a credential rather than a name. */
export function looksUnbounded(value: string): boolean {
  if (value.length === 0 || value.length > maxLabelLength) return true;
  for (const pattern of unboundedPatterns) if (pattern.test(value)) return true;
  // A credential used as a name (`sk-live-...`) must not become a label that every scrape shows.
  return isSecretLookingValue(value);
}

/**
 * Keeps a metric label bounded: the first `limit` distinct acceptable values pass as they are;
 * later ones, and values that look like ids, URLs or prompts, become `'other'`.
 *
 * @example
 * ```ts fragment
 * const guard = new LabelGuard(100);
 * counter.inc({ primitive: guard.label(execution.name) });
 * ```
 */
export class LabelGuard {
  // Value -> the guard's own copy of it, which is what goes into label sets.
  private readonly accepted = new Map<string, string>();
  // Remembers refusals so the patterns run once per value, up to a bound of its own. Only values
  // up to the label length are kept: a longer one is refused by its length alone, and keeping it
  // would let 1,000 refused 100 KB values hold 100 MB.
  private readonly refused = new Set<string>();

  constructor(readonly limit: number) {}

  /** `value` itself (an equal string) when it is accepted, otherwise `'other'`. */
  label(value: string): string {
    const kept = this.accepted.get(value);
    if (kept !== undefined) return kept;
    if (value.length > maxLabelLength || this.refused.has(value)) return otherLabel;
    if (this.accepted.size < this.limit && !looksUnbounded(value)) {
      const copy = detachedCopy(value);
      this.accepted.set(copy, copy);
      return copy;
    }
    if (this.refused.size < this.limit * 10) this.refused.add(detachedCopy(value));
    return otherLabel;
  }

  /** How many distinct values pass as they are. */
  get size(): number {
    return this.accepted.size;
  }
}
