import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseDocument } from 'yaml';
import { TestSetNotFoundError } from './errors/test-set-not-found-error.js';
import { parseMocksYaml, parseTestDocument, stringifyMocks, testToDocument, toYaml } from './format/keploy-yaml.js';
import type { Mock, TestCase, TestSet } from './model.js';

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

/** Orders `test-2` before `test-10`. */
export const naturalCompare = (left: string, right: string): number => left.localeCompare(right, 'en', { numeric: true });

/** Names of the test set folders in a Keploy folder (`keploy/`), naturally ordered; empty when it does not exist. */
export async function listTestSets(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory() && entry.name !== 'reports').map((entry) => entry.name).sort(naturalCompare);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

/** Reads `mocks.yaml` of a test set folder; empty when the file does not exist. */
export async function readMocks(testSetDir: string): Promise<Mock[]> {
  const file = join(testSetDir, 'mocks.yaml');
  try {
    return parseMocksYaml(await readFile(file, 'utf8'), file);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

/** Reads the test cases of `tests/` in a test set folder, ordered by number; empty when there are none. */
export async function readTests(testSetDir: string): Promise<TestCase[]> {
  const testsDir = join(testSetDir, 'tests');
  let names: string[];
  try {
    names = (await readdir(testsDir)).filter((name) => /\.ya?ml$/.test(name)).sort(naturalCompare);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  const tests: TestCase[] = [];
  for (const name of names) {
    const file = join(testsDir, name);
    const document = parseDocument(await readFile(file, 'utf8'));
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message}`);
    tests.push(parseTestDocument(document.toJS()));
  }
  return tests;
}

/**
 * Reads one Keploy test set folder (`keploy/test-set-0`): its test cases and every mock, of every kind
 * (mocks that are not `Http` are kept as they are and skipped by the HTTP replayer).
 *
 * @throws TestSetNotFoundError when the folder does not exist.
 */
export async function readTestSet(testSetDir: string): Promise<TestSet> {
  try {
    if (!(await stat(testSetDir)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOENT' });
  } catch (error) {
    if (!isMissing(error)) throw error;
    const parent = dirname(testSetDir);
    throw new TestSetNotFoundError(basename(testSetDir), parent, await listTestSets(parent));
  }
  const [tests, mocks] = await Promise.all([readTests(testSetDir), readMocks(testSetDir)]);
  return { tests, mocks };
}

/** Writes a file through a temporary name, so a reader never sees half of it. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, text, 'utf8');
  await rename(temporary, file);
}

/** Writes `mocks.yaml` of a test set folder (multi-document YAML, Keploy's schema). */
export async function writeMocks(testSetDir: string, mocks: readonly Mock[]): Promise<void> {
  await writeFileAtomic(join(testSetDir, 'mocks.yaml'), stringifyMocks(mocks));
}

/** Writes one test case to `tests/<name>.yaml`. */
export async function writeTest(testSetDir: string, test: TestCase): Promise<void> {
  await writeFileAtomic(join(testSetDir, 'tests', `${test.name}.yaml`), toYaml(testToDocument(test)));
}

/**
 * Writes a test set folder in Keploy's layout: `mocks.yaml` and `tests/<name>.yaml` for each test case.
 * Other files in the folder are left alone. Nothing here redacts: redaction happens when recording.
 */
export async function writeTestSet(testSetDir: string, set: TestSet): Promise<void> {
  await mkdir(testSetDir, { recursive: true });
  await writeMocks(testSetDir, set.mocks);
  for (const test of set.tests) await writeTest(testSetDir, test);
}
