import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileTooLargeError } from './errors/file-too-large-error.js';
import { PathOutsideFolderError } from './errors/path-outside-folder-error.js';
import { TooManyDocumentsError } from './errors/too-many-documents-error.js';
import { UnsafeNameError } from './errors/unsafe-name-error.js';
import type { HttpTestCase } from './model.js';
import { readMocks, readTestSet, writeTest, writeTestSet } from './test-set-files.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tta-keploy-files-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const testCase = (name: string): HttpTestCase => ({
  kind: 'Http',
  name,
  request: { method: 'GET', url: 'http://localhost/', headers: {}, body: '', timestamp: '0001-01-01T00:00:00Z' },
  response: { status: 200, statusMessage: 'OK', headers: {}, body: '', timestamp: '0001-01-01T00:00:00Z' },
  noise: {},
  created: 0,
  curl: '',
});

const document = (kind: string, name: string): string => `version: api.keploy.io/v1beta1\nkind: ${kind}\nname: ${JSON.stringify(name)}\nspec: {}\n`;

describe('readTestSet', () => {
  it('rejects a test case file whose name is ../../../evil with UnsafeNameError naming the file', async () => {
    const set = join(root, 'test-set-0');
    await mkdir(join(set, 'tests'), { recursive: true });
    await writeFile(join(set, 'tests', 'test-1.yaml'), document('Http', '../../../evil'));
    const error = await readTestSet(set).catch((caught: unknown) => caught);
    expect(UnsafeNameError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ unsafeName: '../../../evil', subject: 'test case', file: join(set, 'tests', 'test-1.yaml') });
  });

  it('rejects a mock of any kind whose name is not a plain name', async () => {
    const set = join(root, 'test-set-0');
    await mkdir(set, { recursive: true });
    await writeFile(join(set, 'mocks.yaml'), document('Mongo', 'a\\b'));
    await expect(readTestSet(set)).rejects.toMatchObject({ code: 'UNSAFE_NAME', subject: 'mock', file: join(set, 'mocks.yaml') });
  });

  it('refuses a mocks.yaml over maxFileBytes with FileTooLargeError before reading it', async () => {
    const set = join(root, 'test-set-0');
    await mkdir(set, { recursive: true });
    await writeFile(join(set, 'mocks.yaml'), document('Http', 'mock-0').repeat(1));
    const error = await readTestSet(set, { maxFileBytes: 16 }).catch((caught: unknown) => caught);
    expect(FileTooLargeError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ file: join(set, 'mocks.yaml'), limitBytes: 16 });
  });

  it('refuses a test case file over maxFileBytes too', async () => {
    const set = join(root, 'test-set-0');
    await mkdir(join(set, 'tests'), { recursive: true });
    await writeFile(join(set, 'tests', 'test-1.yaml'), document('Http', 'test-1'));
    await expect(readTestSet(set, { maxFileBytes: 16 })).rejects.toMatchObject({ code: 'FILE_TOO_LARGE', file: join(set, 'tests', 'test-1.yaml') });
  });

  it('refuses a tests/ folder with more test case files than maxDocuments', async () => {
    const set = join(root, 'test-set-0');
    await mkdir(join(set, 'tests'), { recursive: true });
    for (const name of ['test-1', 'test-2', 'test-3']) await writeFile(join(set, 'tests', `${name}.yaml`), document('Http', name));
    const error = await readTestSet(set, { maxDocuments: 2 }).catch((caught: unknown) => caught);
    expect(TooManyDocumentsError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ file: join(set, 'tests'), limit: 2 });
    expect((await readTestSet(set, { maxDocuments: 3 })).tests).toHaveLength(3);
  });

  it('refuses a mocks.yaml with more documents than maxDocuments', async () => {
    const set = join(root, 'test-set-0');
    await mkdir(set, { recursive: true });
    await writeFile(join(set, 'mocks.yaml'), [0, 1, 2].map((index) => document('Http', `mock-${index}`)).join('---\n'));
    await expect(readMocks(set, { maxDocuments: 2 })).rejects.toMatchObject({ code: 'TOO_MANY_DOCUMENTS', file: join(set, 'mocks.yaml') });
  });

  it('reports invalid YAML in a test case file by line and column, without quoting its text', async () => {
    const set = join(root, 'test-set-0');
    await mkdir(join(set, 'tests'), { recursive: true });
    await writeFile(join(set, 'tests', 'test-1.yaml'), '[default]\naws_secret_access_key = s3cr3t-canary\n');
    const error = await readTestSet(set).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe(`${join(set, 'tests', 'test-1.yaml')}: Unexpected scalar at node end at line 2, column 1`);
    expect((error as Error).message).not.toContain('s3cr3t-canary');
  });

  it('refuses an invalid maxFileBytes before touching the disk', async () => {
    await expect(readTestSet(join(root, 'missing'), { maxFileBytes: -1 })).rejects.toMatchObject({ code: 'INVALID_OPTIONS', option: 'maxFileBytes' });
  });

  it('reads a set whose files are within maxFileBytes', async () => {
    const set = join(root, 'test-set-0');
    await mkdir(set, { recursive: true });
    await writeFile(join(set, 'mocks.yaml'), `${document('Http', 'mock-0')}---\n${document('Generic', 'mock-1')}`);
    expect((await readMocks(set, { maxFileBytes: 1024 })).map((mock) => mock.name)).toEqual(['mock-0', 'mock-1']);
  });
});

describe('writeTestSet', () => {
  it.each(['../../../evil', '..', '.', '', '/tmp/evil', '//x', 'a/b', 'a\\b', 'C:evil', 'nul\0'])(
    'refuses a test case named %j with UnsafeNameError and writes nothing',
    async (name) => {
      const set = join(root, 'a', 'b', 'test-set-0');
      const error = await writeTestSet(set, { tests: [testCase(name)], mocks: [] }).catch((caught: unknown) => caught);
      expect(UnsafeNameError.isInstance(error)).toBe(true);
      expect(await readdir(root)).toEqual([]);
    },
  );

  it('refuses a mock with an unsafe name before writing mocks.yaml', async () => {
    const set = join(root, 'test-set-0');
    await expect(writeTestSet(set, { tests: [], mocks: [{ kind: 'Generic', name: '../x', spec: {} }] })).rejects.toMatchObject({ code: 'UNSAFE_NAME', subject: 'mock' });
    expect(existsSync(set)).toBe(false);
  });

  it('keeps writeTest inside tests/ for a name that only resolves outside', async () => {
    const set = join(root, 'test-set-0');
    await expect(writeTest(set, testCase('..'))).rejects.toThrow(UnsafeNameError);
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses to write a test case through a tests/ link that leads outside the test set', async () => {
    const set = join(root, 'test-set-0');
    await mkdir(set);
    await mkdir(join(root, 'elsewhere'));
    await symlink(join(root, 'elsewhere'), join(set, 'tests'));
    const error = await writeTestSet(set, { tests: [testCase('test-1')], mocks: [] }).catch((caught: unknown) => caught);
    expect(PathOutsideFolderError.isInstance(error)).toBe(true);
    expect(await readdir(join(root, 'elsewhere'))).toEqual([]);
  });

  it('writes a set with plain names where it says', async () => {
    const set = join(root, 'test-set-0');
    await writeTestSet(set, { tests: [testCase('test-1')], mocks: [] });
    expect((await readdir(join(set, 'tests'))).sort()).toEqual(['test-1.yaml']);
  });
});
