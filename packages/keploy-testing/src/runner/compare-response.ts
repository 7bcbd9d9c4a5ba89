import { REDACTED } from '@tta/primitives/logging';
import { headerValueMatches, headerValues, KEPLOY_HEADER_SEPARATOR } from '../format/header-values.js';
import { parseJsonLossless, stringifyJson } from '../matching/lossless-json.js';
import { compileNoise, ignoredBy, pathKey, type NoiseRules } from '../matching/noise-rules.js';
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
  /** The body decoded as UTF-8. */
  readonly body: string;
  /** The body's bytes, compared with a recorded `!!binary` body; `body` is used when absent. */
  readonly bodyBytes?: Uint8Array;
}

/** How {@link compareResponse} compares, as keploy.yml's `test` section sets it. */
export interface CompareOptions {
  /**
   * Compare JSON arrays without regard to order (Keploy's `test.ignoreOrdering`).
   * @default true
   */
  readonly ignoreOrdering?: boolean;
  /**
   * Compare bodies that are not JSON too (Keploy's `test.compareAll`); when false, a response whose body
   * is not JSON passes on its status and headers alone, as in Keploy.
   * @default true
   */
  readonly compareAll?: boolean;
  /**
   * Body keys ignored at any depth (keploy.yml global noise keys without a dot), e.g. `{ updatedAt: [] }`.
   * @default {}
   */
  readonly anyDepthNoise?: Noise;
  /**
   * Where the noise came from, named in an `InvalidNoiseError`.
   * @default 'noise'
   */
  readonly noiseSource?: string;
}

/** Headers that depend on the connection or the encoding, not on the service's answer; never compared. */
const transportHeaders = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding']);

const show = (value: unknown): string => stringifyJson(value) ?? String(value);
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const own = (record: Record<string, unknown>, key: string): unknown => (Object.hasOwn(record, key) ? record[key] : undefined);

interface Walk {
  readonly rules: NoiseRules;
  readonly ignoreOrdering: boolean;
}

const ignoredAt = (walk: Walk, segments: readonly string[], actualText: string | undefined): boolean => {
  if (segments.length === 0) return false;
  if (ignoredBy(walk.rules.paths.get(pathKey(segments)), actualText)) return true;
  return ignoredBy(walk.rules.anyDepth.get(segments[segments.length - 1]!), actualText);
};

const jsonDifferences = (expected: unknown, actual: unknown, path: string, segments: readonly string[], walk: Walk, out: Difference[]): void => {
  const actualText = actual === undefined ? undefined : typeof actual === 'string' ? actual : show(actual);
  if (ignoredAt(walk, segments, actualText)) return;
  if (expected === REDACTED && actual !== undefined) return;
  if (Object.is(expected, actual)) return;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    // Array levels are transparent for noise paths, as in Keploy (`body.createdAt` covers `[i].createdAt`).
    if (walk.ignoreOrdering) {
      unorderedDifferences(expected, actual, path, segments, walk, out);
      return;
    }
    const length = Math.max(expected.length, actual.length);
    for (let index = 0; index < length; index++) jsonDifferences(expected[index], actual[index], `${path}[${index}]`, segments, walk, out);
    return;
  }
  if (isRecord(expected) && isRecord(actual)) {
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      jsonDifferences(own(expected, key), own(actual, key), `${path}.${key}`, [...segments, key], walk, out);
    }
    return;
  }
  out.push({ field: path, expected: expected === undefined ? undefined : show(expected), actual: actual === undefined ? undefined : show(actual) });
};

/** JSON text with object keys sorted: equal for values equal in any key order. */
const canonical = (value: unknown): string => {
  if (typeof value !== 'object' || value === null) return show(value);
  if (Array.isArray(value)) {
    let text = '[';
    for (let index = 0; index < value.length; index++) text += `${index === 0 ? '' : ','}${canonical(value[index])}`;
    return `${text}]`;
  }
  const keys = Object.keys(value);
  if (keys.length > 1) keys.sort();
  let text = '{';
  for (let index = 0; index < keys.length; index++) {
    text += `${index === 0 ? '' : ','}${JSON.stringify(keys[index])}:${canonical((value as Record<string, unknown>)[keys[index]!])}`;
  }
  return `${text}}`;
};

/** True when noise or a redacted value could make two different items under `segments` compare equal. */
const looseBelow = (expected: readonly unknown[], segments: readonly string[], walk: Walk): boolean => {
  if (walk.rules.anyDepth.size > 0) return true;
  const prefix = pathKey(segments);
  for (const key of walk.rules.paths.keys()) if (segments.length === 0 || key === prefix || key.startsWith(`${prefix}\u0000`)) return true;
  return expected.some((item) => canonical(item).includes(JSON.stringify(REDACTED)));
};

/**
 * Arrays compared without regard to order: identical items pair up by canonical text (linear), then, when
 * noise or a redacted value could make different items equal, the rest pair up by a noise-aware
 * comparison; what is left over is reported, each expected item against the next unpaired actual one.
 */
const unorderedDifferences = (expected: readonly unknown[], actual: readonly unknown[], path: string, segments: readonly string[], walk: Walk, out: Difference[]): void => {
  const pool = new Map<string, { indices: number[]; next: number }>();
  actual.forEach((item, index) => {
    const key = canonical(item);
    const entry = pool.get(key);
    if (entry === undefined) pool.set(key, { indices: [index], next: 0 });
    else entry.indices.push(index);
  });
  const paired = new Set<number>();
  const leftExpected: number[] = [];
  expected.forEach((item, index) => {
    const entry = pool.get(canonical(item));
    if (entry !== undefined && entry.next < entry.indices.length) paired.add(entry.indices[entry.next++]!);
    else leftExpected.push(index);
  });
  if (leftExpected.length === 0 && paired.size === actual.length) return;
  let leftActual = actual.map((_, index) => index).filter((index) => !paired.has(index));
  let unmatched = leftExpected;
  if (looseBelow(expected, segments, walk)) {
    unmatched = [];
    for (const index of leftExpected) {
      const found = leftActual.findIndex((candidate) => {
        const scratch: Difference[] = [];
        jsonDifferences(expected[index], actual[candidate], `${path}[${index}]`, segments, walk, scratch);
        return scratch.length === 0;
      });
      if (found === -1) unmatched.push(index);
      else leftActual = leftActual.filter((_, position) => position !== found);
    }
  }
  const length = Math.max(unmatched.length, leftActual.length);
  for (let position = 0; position < length; position++) {
    const expectedIndex = unmatched[position];
    const actualIndex = leftActual[position];
    const item = `${path}[${expectedIndex ?? actualIndex!}]`;
    jsonDifferences(expectedIndex === undefined ? undefined : expected[expectedIndex], actualIndex === undefined ? undefined : actual[actualIndex], item, segments, walk, out);
  }
};

const bytesEqual = (left: Uint8Array, right: Uint8Array): boolean => left.length === right.length && Buffer.from(left.buffer, left.byteOffset, left.byteLength).equals(right);

/**
 * Compares a recorded response with the actual one, as `keploy test` does: status, every recorded header
 * except transport ones (repeated values as a list), and the body: JSON field by field (integers beyond
 * 2^53 exact, arrays in any order unless `ignoreOrdering` is false), a `!!binary` body byte for byte,
 * other text whole (when `compareAll`). Noise patterns run in RE2; redacted values match anything.
 *
 * @throws InvalidNoiseError when a noise value is not a list or a pattern is not one RE2 runs.
 */
export function compareResponse(expected: RecordedResponse, actual: ActualResponse, noise: Noise, options: CompareOptions = {}): Difference[] {
  const rules = compileNoise(noise, options.noiseSource ?? 'noise', options.anyDepthNoise);
  const differences: Difference[] = [];
  if (expected.status !== actual.status && !ignoredBy(rules.status, String(actual.status))) {
    differences.push({ field: 'status', expected: String(expected.status), actual: String(actual.status) });
  }
  for (const [name, value] of Object.entries(expected.headers)) {
    const lower = name.toLowerCase();
    if (transportHeaders.has(lower)) continue;
    const values = headerValues(actual.headers, lower);
    const actualValue = values?.join(KEPLOY_HEADER_SEPARATOR);
    if (ignoredBy(rules.headers.get(lower), actualValue)) continue;
    if (value === REDACTED && actualValue !== undefined) continue;
    if (values === undefined || !headerValueMatches(value, values, lower)) differences.push({ field: `header.${name}`, expected: value, actual: actualValue });
  }
  if (ignoredBy(rules.body, actual.body)) return differences;
  if (expected.bodyBytes !== undefined) {
    const actualBytes = actual.bodyBytes ?? Buffer.from(actual.body, 'utf8');
    if (!bytesEqual(expected.bodyBytes, actualBytes)) {
      differences.push({ field: 'body', expected: `${expected.bodyBytes.length} bytes (binary)`, actual: `${actualBytes.length} bytes` });
    }
    return differences;
  }
  const actualJson = parseJsonLossless(actual.body);
  const expectedJson = actualJson.ok ? parseJsonLossless(expected.body) : { ok: false as const };
  if (actualJson.ok && expectedJson.ok) {
    const found: Difference[] = [];
    try {
      jsonDifferences(expectedJson.value, actualJson.value, 'body', [], { rules, ignoreOrdering: options.ignoreOrdering ?? true }, found);
      for (const difference of found) differences.push(difference);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      // Nested deeper than the stack allows (JSON.parse is not recursive, the comparison is): compared
      // as text, as a body that is not JSON is, rather than failing the whole run with a RangeError.
      if (!textMatches(expected.body, actual.body)) differences.push({ field: 'body', expected: expected.body, actual: actual.body });
    }
  } else if ((options.compareAll ?? true) || actualJson.ok) {
    if (!textMatches(expected.body, actual.body)) differences.push({ field: 'body', expected: expected.body, actual: actual.body });
  }
  return differences;
}
