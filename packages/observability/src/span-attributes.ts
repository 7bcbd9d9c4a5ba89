import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { REDACTED, isSecretLookingValue, isSensitiveKey } from '@tta/primitives/logging';

/** Longest string attribute value kept; longer values are cut (prompts and bodies do not belong here). */
export const maxAttributeLength = 1024;

/** `maxDelayMs` -> `max_delay_ms`, the casing of OpenTelemetry attribute names. */
export function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9_.]+/g, '_').toLowerCase();
}

/**
 * A string safe to put on a span: a value that holds a credential is replaced whole (an upstream that
 * echoes one secret in its error text may echo others of no known shape), long values are cut. The
 * check reads the whole value, so a cut never hides half a secret from it.
 */
export function safeString(value: string): string {
  if (isSecretLookingValue(value)) return REDACTED;
  return value.length > maxAttributeLength ? `${value.slice(0, maxAttributeLength)}…` : value;
}

const safeNames = new Map<string, string>();
const maxSafeNames = 1000;
// Only short names are remembered, so the memo holds at most about 256 KB whatever names it is fed.
const maxRememberedNameLength = 256;

/**
 * A primitive name safe for a span name or attribute. Names repeat on every execution, so the redacted
 * form of a short name is remembered (up to 1000 names) and the hot path is one map lookup.
 */
export function safeName(name: string): string {
  const known = safeNames.get(name);
  if (known !== undefined) return known;
  const safe = safeString(name);
  if (safeNames.size < maxSafeNames && name.length <= maxRememberedNameLength) {
    // Own flat copies: a name cut from a long string would otherwise keep that string alive (V8 substrings are views).
    const key = ` ${name}`.slice(1);
    safeNames.set(key, safe === name ? key : safe);
  }
  return safe;
}

/**
 * Converts one value to an attribute value, or undefined when it has no attribute form (objects,
 * functions). Secret-looking strings are redacted.
 */
export function toAttributeValue(value: unknown): AttributeValue | undefined {
  switch (typeof value) {
    case 'string':
      return safeString(value);
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    default:
      break;
  }
  if (Array.isArray(value) && value.length <= 64) {
    if (value.every((item) => typeof item === 'string')) return value.map((item: string) => safeString(item));
    if (value.every((item) => typeof item === 'number')) return value as number[];
    if (value.every((item) => typeof item === 'boolean')) return value as boolean[];
  }
  return undefined;
}

/** The type of an error for `error.type` / `exception.type`: its code, else its name. */
export function errorType(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0 && code.length <= 64) return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && name.length > 0) return name;
  }
  return typeof error === 'string' ? 'Error' : '_OTHER';
}

/** The message of an error, redacted when it looks like it carries a credential. */
export function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string') return safeString(message);
  }
  return safeString(String(error));
}

/**
 * Attributes from a record of user fields: keys that look secret (`apiKey`, `authorization`...)
 * get `[REDACTED]`, secret-looking strings too; keys are prefixed and snake_cased; errors
 * become `<prefix>error.type` / `<prefix>error.message`; values without an attribute form are left out.
 */
export function toAttributes(fields: Readonly<Record<string, unknown>>, prefix: string, skip?: ReadonlySet<string>): Attributes {
  const attributes: Attributes = {};
  for (const key of Object.keys(fields)) {
    if (skip?.has(key)) continue;
    const value = fields[key];
    const name = prefix + snakeCase(key);
    if (isSensitiveKey(key)) {
      attributes[name] = REDACTED;
      continue;
    }
    if (value instanceof Error) {
      attributes[`${name}.type`] = errorType(value);
      attributes[`${name}.message`] = errorMessage(value);
      continue;
    }
    const converted = toAttributeValue(value);
    if (converted !== undefined) attributes[name] = converted;
  }
  return attributes;
}
