import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { KeployConfigError } from '../errors/keploy-config-error.js';
import { InvalidNoiseError } from '../errors/invalid-noise-error.js';
import { yamlReadOptions } from '../format/keploy-yaml.js';
import { readNoiseValue } from '../matching/noise-rules.js';
import type { Noise } from '../model.js';

/** Noise from keploy.yml for one scope (global, or one test set). */
export interface ConfigNoise {
  /** Paths: `header.<Name>`, `body` (whole body), `body.<a>.<b>` (a body key with a dot is a path from the root). */
  readonly noise: Noise;
  /** Body keys without a dot: ignored wherever they occur. */
  readonly anyDepth: Noise;
}

/** What a run takes from `keploy.yml` (Keploy's own defaults when there is none). */
export interface KeployConfig {
  /** The file read; undefined when there was none. */
  readonly file: string | undefined;
  /** `test.globalNoise.global`. */
  readonly global: ConfigNoise;
  /** `test.globalNoise.test-sets.<name>`, added to the global noise for that set. */
  readonly testSets: Readonly<Record<string, ConfigNoise>>;
  /** `test.ignoreOrdering`: JSON arrays compared without regard to order. Keploy's default: true. */
  readonly ignoreOrdering: boolean;
  /** `test.compareAll`: bodies that are not JSON are compared too. Keploy's default: false. */
  readonly compareAll: boolean;
  /**
   * `test.selectedTests`: when not empty, only the test sets named run, each with the test cases listed
   * (an empty list: all of them).
   */
  readonly selectedTests: Readonly<Record<string, readonly string[]>>;
}

/** Keploy's defaults, used when there is no keploy.yml. */
export const DEFAULT_KEPLOY_CONFIG: KeployConfig = {
  file: undefined,
  global: { noise: {}, anyDepth: {} },
  testSets: {},
  ignoreOrdering: true,
  compareAll: false,
  selectedTests: {},
};

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const readScope = (value: unknown, file: string, key: string): ConfigNoise => {
  const noise: Record<string, string[]> = {};
  const anyDepth: Record<string, string[]> = {};
  if (value === undefined || value === null) return { noise, anyDepth };
  if (!isObject(value)) throw new InvalidNoiseError(file, key, `must be a map with body and header entries, got ${JSON.stringify(value)}`);
  for (const [part, fields] of Object.entries(value)) {
    const partKey = `${key}.${part}`;
    if (fields === null || fields === undefined) continue;
    if (!isObject(fields)) throw new InvalidNoiseError(file, partKey, `must be a map of field names to lists of regular expressions, got ${JSON.stringify(fields)}`);
    for (const [field, patterns] of Object.entries(fields)) {
      // `"*": ["*"]` is Keploy's way to ignore the whole body (the `*` is a marker, not a pattern).
      if (part === 'body' && field === '*' && Array.isArray(patterns) && patterns.length === 1 && patterns[0] === '*') {
        noise.body = [];
        continue;
      }
      const list = readNoiseValue(patterns, file, `${partKey}.${field}`);
      if (part === 'header') noise[`header.${field}`] = list;
      else if (part === 'body') {
        if (field.includes('.')) noise[`body.${field}`] = list;
        else anyDepth[field] = list;
      }
    }
  }
  return { noise, anyDepth };
};

const readBoolean = (test: Json, key: string, fallback: boolean, file: string): boolean => {
  const value = test[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw new KeployConfigError(file, `test.${key}`, `must be true or false, got ${JSON.stringify(value)}`);
  return value;
};

/**
 * Reads what a test run uses from a `keploy.yml`: the global and per-test-set noise, `ignoreOrdering` and
 * `compareAll`. A missing file gives Keploy's defaults.
 *
 * @throws KeployConfigError on invalid YAML or a setting of the wrong type.
 * @throws InvalidNoiseError when a noise value is not a list of regular expressions RE2 runs.
 *
 * @example
 * ```ts
 * const config = await readKeployConfig('keploy.yml');
 * config.ignoreOrdering; // true unless the file says otherwise
 * ```
 */
export async function readKeployConfig(file: string): Promise<KeployConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_KEPLOY_CONFIG;
    throw error;
  }
  const document = parseDocument(text, yamlReadOptions);
  if (document.errors.length > 0) throw new KeployConfigError(file, '', `is not valid YAML: ${document.errors[0]!.message.split('\n')[0]!}`);
  const root: unknown = document.toJS();
  const test = isObject(root) && isObject(root.test) ? root.test : {};
  const globalNoise = test.globalNoise;
  if (globalNoise !== undefined && globalNoise !== null && !isObject(globalNoise)) {
    throw new InvalidNoiseError(file, 'test.globalNoise', `must be a map with global and test-sets entries, got ${JSON.stringify(globalNoise)}`);
  }
  const testSets: Record<string, ConfigNoise> = {};
  const perSet = globalNoise?.['test-sets'];
  if (perSet !== undefined && perSet !== null) {
    if (!isObject(perSet)) throw new InvalidNoiseError(file, 'test.globalNoise.test-sets', `must be a map of test set names, got ${JSON.stringify(perSet)}`);
    for (const [name, scope] of Object.entries(perSet)) testSets[name] = readScope(scope, file, `test.globalNoise.test-sets.${name}`);
  }
  const selectedTests: Record<string, string[]> = {};
  const selected = test.selectedTests;
  if (selected !== undefined && selected !== null) {
    if (!isObject(selected)) throw new KeployConfigError(file, 'test.selectedTests', `must be a map of test set names to lists of test case names, got ${JSON.stringify(selected)}`);
    for (const [testSet, names] of Object.entries(selected)) {
      if (names !== null && names !== undefined && !Array.isArray(names)) {
        throw new KeployConfigError(file, `test.selectedTests.${testSet}`, `must be a list of test case names, got ${JSON.stringify(names)}`);
      }
      selectedTests[testSet] = (names ?? []).map((name: unknown) => String(name));
    }
  }
  return {
    file,
    selectedTests,
    global: readScope(globalNoise?.global, file, 'test.globalNoise.global'),
    testSets,
    ignoreOrdering: readBoolean(test, 'ignoreOrdering', true, file),
    compareAll: readBoolean(test, 'compareAll', false, file),
  };
}
