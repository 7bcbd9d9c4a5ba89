import { REDACTED } from '@tta/primitives/logging';
import { textMatches } from '../matching/request-matcher.js';
import type { Noise, RecordedResponse } from '../model.js';

/** One difference between the recorded and the actual response. */
export interface Difference {
  /** `status`, `header.<Name>`, `body` (whole text) or `body.<path>` (JSON field, `[i]` for array items). */
  readonly field: string;
  /** Recorded value (JSON text for JSON values); undefined when absent. */
  readonly expected: string | undefined;
  /** Actual value; undefined when absent. */
  readonly actual: string | undefined;
}

/** The response the service gave, as compared. */
export interface ActualResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** Headers that depend on the connection or the encoding, not on the service's answer; never compared. */
const transportHeaders = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding']);

interface NoiseRules {
  readonly fields: Map<string, RegExp[]>;
}

const compileNoise = (noise: Noise): NoiseRules => {
  const fields = new Map<string, RegExp[]>();
  for (const [field, patterns] of Object.entries(noise)) {
    const compiled: RegExp[] = [];
    for (const pattern of patterns) {
      try {
        compiled.push(new RegExp(pattern));
      } catch {
        compiled.push(new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      }
    }
    fields.set(field.toLowerCase(), compiled);
  }
  return { fields };
};

/** True when noise ignores `field` for this actual value. */
const ignored = (rules: NoiseRules, field: string, actual: string | undefined): boolean => {
  const patterns = rules.fields.get(field.toLowerCase());
  if (patterns === undefined) return false;
  if (patterns.length === 0) return true;
  return actual !== undefined && patterns.some((pattern) => pattern.test(actual));
};

const show = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value));

const jsonDifferences = (
  expected: unknown,
  actual: unknown,
  path: string,
  noisePath: string,
  rules: NoiseRules,
  out: Difference[],
): void => {
  const actualText = actual === undefined ? undefined : typeof actual === 'string' ? actual : JSON.stringify(actual);
  if (ignored(rules, noisePath, actualText) || (path !== noisePath && ignored(rules, path, actualText))) return;
  if (expected === REDACTED && actual !== undefined) return;
  if (Object.is(expected, actual)) return;
  const bothObjects = typeof expected === 'object' && expected !== null && typeof actual === 'object' && actual !== null;
  if (bothObjects && Array.isArray(expected) === Array.isArray(actual)) {
    if (Array.isArray(expected) && Array.isArray(actual)) {
      // Array levels are transparent for noise paths, as in Keploy (`body.createdAt` covers `[i].createdAt`).
      const length = Math.max(expected.length, actual.length);
      for (let index = 0; index < length; index++) {
        jsonDifferences(expected[index], actual[index], `${path}[${index}]`, noisePath, rules, out);
      }
      return;
    }
    const left = expected as Record<string, unknown>;
    const right = actual as Record<string, unknown>;
    for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
      jsonDifferences(left[key], right[key], `${path}.${key}`, `${noisePath}.${key}`, rules, out);
    }
    return;
  }
  out.push({ field: path, expected: expected === undefined ? undefined : show(expected), actual: actual === undefined ? undefined : show(actual) });
};

const parseJson = (text: string): { ok: true; value: unknown } | { ok: false } => {
  if (text.trim() === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
};

/**
 * Compares a recorded response with the actual one: status, every recorded header except transport
 * ones, and the body (JSON field by field, otherwise as text); noise and redacted values are skipped.
 */
export function compareResponse(expected: RecordedResponse, actual: ActualResponse, noise: Noise): Difference[] {
  const rules = compileNoise(noise);
  const differences: Difference[] = [];
  if (expected.status !== actual.status && !ignored(rules, 'status', String(actual.status)) && !ignored(rules, 'status_code', String(actual.status))) {
    differences.push({ field: 'status', expected: String(expected.status), actual: String(actual.status) });
  }
  for (const [name, value] of Object.entries(expected.headers)) {
    const lower = name.toLowerCase();
    if (transportHeaders.has(lower)) continue;
    const actualValue = actual.headers.get(lower) ?? undefined;
    if (ignored(rules, `header.${name}`, actualValue)) continue;
    if (value === REDACTED && actualValue !== undefined) continue;
    if (actualValue !== value) differences.push({ field: `header.${name}`, expected: value, actual: actualValue });
  }
  if (ignored(rules, 'body', actual.body)) return differences;
  const expectedJson = parseJson(expected.body);
  const actualJson = parseJson(actual.body);
  if (expectedJson.ok && actualJson.ok) {
    jsonDifferences(expectedJson.value, actualJson.value, 'body', 'body', rules, differences);
  } else if (!textMatches(expected.body, actual.body)) {
    differences.push({ field: 'body', expected: expected.body, actual: actual.body });
  }
  return differences;
}
