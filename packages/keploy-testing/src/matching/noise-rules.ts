import { RE2JS } from 're2js';
import { InvalidNoiseError } from '../errors/invalid-noise-error.js';
import type { Noise } from '../model.js';

/** Noise compiled for one comparison: which fields to skip, and for which values. */
export interface NoiseRules {
  /** Rules on `status` / `status_code`. */
  readonly status: readonly RE2JS[][];
  /** Rules per lower-case header name. */
  readonly headers: ReadonlyMap<string, readonly RE2JS[][]>;
  /** Rules on the whole body (`body`). */
  readonly body: readonly RE2JS[][];
  /** Rules per body path from the root (segments joined with NUL, so a key holding a dot stays one key). */
  readonly paths: ReadonlyMap<string, readonly RE2JS[][]>;
  /** Rules per body key that apply at any depth (keploy.yml keys without a dot). */
  readonly anyDepth: ReadonlyMap<string, readonly RE2JS[][]>;
}

const cache = new Map<string, RE2JS>();
const maxCached = 10_000;

/**
 * A noise pattern compiled for RE2, the engine Keploy (Go) runs them in: linear time whatever the pattern
 * or the value, and the same syntax (`(?i)` is a flag, not a literal).
 *
 * @throws InvalidNoiseError naming `source` and `key` when RE2 cannot run the pattern.
 */
export function compileNoisePattern(pattern: string, source: string, key: string): RE2JS {
  let compiled = cache.get(pattern);
  if (compiled !== undefined) return compiled;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (error) {
    throw new InvalidNoiseError(source, key, `holds ${JSON.stringify(pattern)}, which is not a regular expression that RE2 (Keploy's engine) runs: ${(error as Error).message}`, { cause: error });
  }
  if (cache.size >= maxCached) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

/**
 * Reads one noise value as written in a file: a list of patterns (`[]` means always ignored).
 *
 * @throws InvalidNoiseError when the value is not a list, or an item is not a string RE2 can run.
 */
export function readNoiseValue(value: unknown, source: string, key: string): string[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new InvalidNoiseError(source, key, `must be a list of regular expressions ([] to ignore the field always), got ${JSON.stringify(value)}`);
  }
  return value.map((item: unknown, index) => {
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
      throw new InvalidNoiseError(source, key, `item ${index} must be a regular expression, got ${JSON.stringify(item)}`);
    }
    const pattern = String(item);
    compileNoisePattern(pattern, source, key);
    return pattern;
  });
}

const add = (map: Map<string, RE2JS[][]>, key: string, patterns: RE2JS[]): void => {
  const list = map.get(key);
  if (list === undefined) map.set(key, [patterns]);
  else list.push(patterns);
};

/** The key of a body path in {@link NoiseRules.paths}. */
export const pathKey = (segments: readonly string[]): string => segments.join('\u0000');

/**
 * Compiles noise: `status`, `header.<Name>` (any casing), `body` (the whole body) and `body.<a>.<b>` (a path
 * from the root; array levels are transparent; keys are case-sensitive). `anyDepth` maps body keys that
 * apply wherever they occur, as keploy.yml's global noise keys without a dot do.
 *
 * @throws InvalidNoiseError naming `source` when a pattern is not one RE2 runs.
 */
export function compileNoise(noise: Noise, source: string, anyDepth: Noise = {}): NoiseRules {
  const status: RE2JS[][] = [];
  const headers = new Map<string, RE2JS[][]>();
  const body: RE2JS[][] = [];
  const paths = new Map<string, RE2JS[][]>();
  const depthRules = new Map<string, RE2JS[][]>();
  for (const [field, patterns] of Object.entries(noise)) {
    if (!Array.isArray(patterns)) throw new InvalidNoiseError(source, field, `must be a list of regular expressions, got ${JSON.stringify(patterns)}`);
    const compiled = patterns.map((pattern) => compileNoisePattern(pattern, source, field));
    const lower = field.toLowerCase();
    if (lower === 'status' || lower === 'status_code') status.push(compiled);
    else if (lower.startsWith('header.')) add(headers, lower.slice('header.'.length), compiled);
    else if (lower === 'body') body.push(compiled);
    else if (field.startsWith('body.')) add(paths, pathKey(field.slice('body.'.length).split('.')), compiled);
  }
  for (const [key, patterns] of Object.entries(anyDepth)) {
    if (!Array.isArray(patterns)) throw new InvalidNoiseError(source, key, `must be a list of regular expressions, got ${JSON.stringify(patterns)}`);
    add(depthRules, key, patterns.map((pattern) => compileNoisePattern(pattern, source, key)));
  }
  return { status, headers, body, paths, anyDepth: depthRules };
}

/** True when one of `rules` ignores `actual`: an empty pattern list always, otherwise a matching pattern. */
export function ignoredBy(rules: readonly RE2JS[][] | undefined, actual: string | undefined): boolean {
  if (rules === undefined) return false;
  return rules.some((patterns) => patterns.length === 0 || (actual !== undefined && patterns.some((pattern) => pattern.test(actual))));
}
