import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseDocument } from 'yaml';
import { TestSetNotFoundError } from './errors/test-set-not-found-error.js';
import { TooManyDocumentsError } from './errors/too-many-documents-error.js';
import { resolveMaxDocuments } from './files/max-documents.js';
import { readCappedFile, resolveMaxFileBytes } from './files/read-capped-file.js';
import { assertSafeName, ensureRealChild, pathInside } from './files/safe-name.js';
import { parseMocksYaml, parseTestDocument, stringifyMocks, testToDocument, toYaml, yamlReadOptions } from './format/keploy-yaml.js';
import type { Mock, TestCase, TestSet } from './model.js';

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

/** Options of the functions that read Keploy files. */
export interface ReadOptions {
  /**
   * Largest file read (`mocks.yaml` or one test case), in bytes; a larger one is refused with
   * `FileTooLargeError` before it is read. Parsing costs several times the size in memory.
   * @default 268435456 (256 MiB)
   */
  readonly maxFileBytes?: number;
  /**
   * Most YAML documents read from `mocks.yaml`, and most test case files read from `tests/`; past it the
   * read fails with `TooManyDocumentsError` (a parsed document costs memory of its own, however small).
   * @default 1000000
   */
  readonly maxDocuments?: number;
}

/** Orders `test-2` before `test-10`. */
export const naturalCompare = (left: string, right: string): number => left.localeCompare(right, 'en', { numeric: true });

/** Folders of a Keploy folder that are not test sets: Keploy skips them too. */
export const NOT_TEST_SETS: ReadonlySet<string> = new Set(['reports', 'testReports', 'schema', 'api-tests']);

/**
 * Names of the test set folders in a Keploy folder (`keploy/`), naturally ordered; empty when it does not
 * exist. `reports/`, `testReports/`, `schema/` and `api-tests/` are not test sets (Keploy skips them).
 */
export async function listTestSets(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory() && !NOT_TEST_SETS.has(entry.name)).map((entry) => entry.name).sort(naturalCompare);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

/**
 * Reads `mocks.yaml` of a test set folder; empty when the file does not exist.
 *
 * @throws FileTooLargeError when the file is larger than `maxFileBytes`.
 * @throws TooManyDocumentsError when it holds more than `maxDocuments` documents.
 * @throws UnsafeNameError when a mock's name is not a plain file name.
 */
export async function readMocks(testSetDir: string, options: ReadOptions = {}): Promise<Mock[]> {
  const maxFileBytes = resolveMaxFileBytes('readMocks', options.maxFileBytes);
  const maxDocuments = resolveMaxDocuments('readMocks', options.maxDocuments);
  const file = join(testSetDir, 'mocks.yaml');
  try {
    return parseMocksYaml(await readCappedFile(file, maxFileBytes), file, maxDocuments);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

/**
 * Reads the test cases of `tests/` in a test set folder, ordered by number; empty when there are none.
 *
 * @throws FileTooLargeError when a file is larger than `maxFileBytes`.
 * @throws TooManyDocumentsError when `tests/` holds more than `maxDocuments` test case files.
 * @throws UnsafeNameError when a test case's name is not a plain file name.
 * @throws InvalidNoiseError when a noise value is not a list of regular expressions RE2 runs.
 */
export async function readTests(testSetDir: string, options: ReadOptions = {}): Promise<TestCase[]> {
  const maxFileBytes = resolveMaxFileBytes('readTests', options.maxFileBytes);
  const maxDocuments = resolveMaxDocuments('readTests', options.maxDocuments);
  const testsDir = join(testSetDir, 'tests');
  let names: string[];
  try {
    names = (await readdir(testsDir)).filter((name) => /\.ya?ml$/.test(name)).sort(naturalCompare);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  if (names.length > maxDocuments) throw new TooManyDocumentsError(testsDir, maxDocuments);
  const tests: TestCase[] = [];
  for (const name of names) {
    const file = join(testsDir, name);
    const document = parseDocument(await readCappedFile(file, maxFileBytes), yamlReadOptions);
    // Only the first line: the rest quotes the file's text, which must not reach a log when the "test case"
    // is something else (a credentials file linked into tests/, say).
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message.split('\n')[0]!.replace(/:$/, '')}`);
    const test = parseTestDocument(document.toJS(), file);
    // The name becomes a file name when the set is written back (`tests/<name>.yaml`).
    assertSafeName(test.name, 'test case', file);
    tests.push(test);
  }
  return tests;
}

/**
 * Reads one Keploy test set folder (`keploy/test-set-0`): its test cases and every mock, of every kind
 * (mocks that are not `Http` are kept as they are and skipped by the HTTP replayer).
 *
 * @throws TestSetNotFoundError when the folder does not exist.
 * @throws FileTooLargeError when a file is larger than `maxFileBytes` (256 MiB by default).
 * @throws TooManyDocumentsError past `maxDocuments` mocks or test cases (1,000,000 by default).
 * @throws UnsafeNameError when a test case or mock name is not a plain file name (`../x`, `a/b`, empty...).
 */
export async function readTestSet(testSetDir: string, options: ReadOptions = {}): Promise<TestSet> {
  resolveMaxFileBytes('readTestSet', options.maxFileBytes);
  resolveMaxDocuments('readTestSet', options.maxDocuments);
  try {
    if (!(await stat(testSetDir)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOENT' });
  } catch (error) {
    if (!isMissing(error)) throw error;
    const parent = dirname(testSetDir);
    throw new TestSetNotFoundError(basename(testSetDir), parent, await listTestSets(parent));
  }
  const [tests, mocks] = await Promise.all([readTests(testSetDir, options), readMocks(testSetDir, options)]);
  return { tests, mocks };
}

/** Writes a file through a temporary name, so a reader never sees half of it. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  // `wx` creates the file or fails: a link planted under the temporary name is never followed.
  await writeFile(temporary, text, { encoding: 'utf8', flag: 'wx' });
  await rename(temporary, file);
}

/**
 * Writes `mocks.yaml` of a test set folder (multi-document YAML, Keploy's schema).
 *
 * @throws UnsafeNameError, before writing, when a mock's name is not a plain file name.
 */
export async function writeMocks(testSetDir: string, mocks: readonly Mock[]): Promise<void> {
  for (const mock of mocks) assertSafeName(mock.name, 'mock');
  await writeFileAtomic(join(testSetDir, 'mocks.yaml'), stringifyMocks(mocks));
}

/**
 * Writes one test case to `tests/<name>.yaml`.
 *
 * @throws UnsafeNameError, before writing, when the name is not a plain file name: it must not reach
 * outside `tests/`.
 * @throws PathOutsideFolderError when `tests/` is a symbolic link that leads outside the test set.
 */
export async function writeTest(testSetDir: string, test: TestCase): Promise<void> {
  const name = assertSafeName(test.name, 'test case');
  const testsDir = await ensureRealChild(testSetDir, 'tests');
  await writeFileAtomic(pathInside(testsDir, `${name}.yaml`, 'test case'), toYaml(testToDocument(test)));
}

/**
 * Writes a test set folder in Keploy's layout: `mocks.yaml` and `tests/<name>.yaml` for each test case.
 * Other files in the folder are left alone. Nothing here redacts: redaction happens when recording.
 *
 * @throws UnsafeNameError, before writing anything, when a test case or mock name is not a plain file name.
 */
export async function writeTestSet(testSetDir: string, set: TestSet): Promise<void> {
  for (const test of set.tests) assertSafeName(test.name, 'test case');
  for (const mock of set.mocks) assertSafeName(mock.name, 'mock');
  await mkdir(testSetDir, { recursive: true });
  await writeMocks(testSetDir, set.mocks);
  for (const test of set.tests) await writeTest(testSetDir, test);
}

const exists = (error: unknown): boolean => (error as NodeJS.ErrnoException | undefined)?.code === 'EEXIST';

/**
 * Writes the next free `tests/test-N.yaml` (N from `firstNumber` up), claiming the name atomically: the
 * file is written under a temporary name and hard-linked to its final name, which fails when another
 * recorder (another process, a cluster worker) took it first; then the next number is tried. A reader
 * never sees half a file and no recorder overwrites another's. Resolves to the number used.
 *
 * @throws PathOutsideFolderError when `tests/` is a symbolic link that leads outside the test set.
 */
export async function claimTestFile(testSetDir: string, firstNumber: number, build: (number: number) => TestCase): Promise<{ number: number; test: TestCase }> {
  const testsDir = await ensureRealChild(testSetDir, 'tests');
  for (let number = Math.max(1, firstNumber); ; number++) {
    const test = build(number);
    const name = assertSafeName(test.name, 'test case');
    const file = pathInside(testsDir, `${name}.yaml`, 'test case');
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, toYaml(testToDocument(test)), { encoding: 'utf8', flag: 'wx' });
    try {
      await link(temporary, file);
      return { number, test };
    } catch (error) {
      if (exists(error)) continue;
      // A file system without hard links: an exclusive create claims the name instead.
      if ((error as NodeJS.ErrnoException).code !== 'EPERM' && (error as NodeJS.ErrnoException).code !== 'ENOTSUP') throw error;
      try {
        await writeFile(file, toYaml(testToDocument(test)), { encoding: 'utf8', flag: 'wx' });
        return { number, test };
      } catch (fallbackError) {
        if (exists(fallbackError)) continue;
        throw fallbackError;
      }
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
  }
}
