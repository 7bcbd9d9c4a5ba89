import { redactText } from '../logging/redact.js';

// Enough text around the shown part for a credential that starts in it to be recognised whole.
const redactedPrefixLength = 1024;
const shownStringLength = 40;

/**
 * A short, never-throwing description of any value, for error messages: also for a revoked proxy,
 * a proxy whose traps throw, or a class whose `name` getter throws. A string is shown cut short and
 * with its credentials hidden (inputs often come from requests).
 */
export function describeValue(value: unknown): string {
  try {
    return describe(value);
  } catch {
    return isRevokedProxy(value) ? 'a revoked proxy' : 'an object';
  }
}

/** @internal True for a revoked proxy: `Array.isArray` throws for one and for nothing else. */
export function isRevokedProxy(value: unknown): boolean {
  try {
    Array.isArray(value);
    return false;
  } catch {
    return true;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case 'string': {
      // Redact before cutting: a cut credential may no longer look like one.
      const text = redactText(value.length > redactedPrefixLength ? value.slice(0, redactedPrefixLength) : value);
      return JSON.stringify(text.length > shownStringLength ? `${text.slice(0, shownStringLength)}…` : text);
    }
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return `${String(value)}`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default: {
      const prototype = Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null;
      const name = prototype?.constructor?.name;
      if (typeof name !== 'string' || name === 'Object') return 'an object';
      return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
    }
  }
}
