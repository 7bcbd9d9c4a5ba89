import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { PathOutsideFolderError } from '../errors/path-outside-folder-error.js';
import { UnsafeNameError } from '../errors/unsafe-name-error.js';
import { assertSafeName, ensureRealChild, nameProblem, pathInside } from './safe-name.js';

const unsafe: Array<[string, string]> = [
  ['', 'empty'],
  ['   ', 'only white space'],
  ['.', 'a relative folder'],
  ['..', 'a relative folder'],
  ['../../../evil', 'contains "/"'],
  ['a/b', 'contains "/"'],
  ['/etc/passwd', 'contains "/"'],
  ['//x', 'contains "/"'],
  ['..\\evil', 'contains "\\\\"'],
  ['C:evil', 'contains ":"'],
  ['C:\\Windows', 'contains ":"'],
  ['nul\0byte', 'contains "\\u0000"'],
  ['line\nbreak', 'contains "\\n"'],
  ['x'.repeat(201), 'longer than 200 bytes'],
];

describe('nameProblem', () => {
  it.each(unsafe)('refuses %j as a file name: %s', (name, problem) => {
    expect(nameProblem(name)).toBe(problem);
  });

  it('refuses values that are not strings', () => {
    expect(nameProblem(undefined)).toBe('not a string but undefined');
    expect(nameProblem(null)).toBe('not a string but null');
    expect(nameProblem(7)).toBe('not a string but number');
  });

  it("accepts Keploy's names and other plain names", () => {
    for (const name of ['test-set-0', 'test-12', 'mock-3', 'weather api', 'données', '...', 'a..b', '.hidden', 'x'.repeat(200)]) {
      expect(nameProblem(name), name).toBeUndefined();
    }
  });
});

describe('assertSafeName', () => {
  it('returns a plain name as it is', () => {
    expect(assertSafeName('test-1', 'test case')).toBe('test-1');
  });

  it('throws UnsafeNameError naming the subject, the name, the problem and the file', () => {
    const error = (() => {
      try {
        assertSafeName('../../../evil', 'test case', '/keploy/test-set-0/tests/test-1.yaml');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(UnsafeNameError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'UNSAFE_NAME', unsafeName: '../../../evil', subject: 'test case', file: '/keploy/test-set-0/tests/test-1.yaml', retryable: false });
    expect((error as Error).message).toBe(
      '/keploy/test-set-0/tests/test-1.yaml: test case name "../../../evil" is not a plain file name (contains "/"); ' +
        'names may not be empty, "." or "..", nor contain "/", "\\", ":" or control characters',
    );
  });
});

describe('pathInside', () => {
  const root = resolve('/srv/keploy');

  it('resolves a plain name inside its root', () => {
    expect(pathInside(root, 'test-set-0', 'test set')).toBe(join(root, 'test-set-0'));
  });

  it.each(['..', '.', '../x', '/etc', 'a/../../b', ''])('refuses %j, which resolves to the root or outside it, with PathOutsideFolderError', (name) => {
    expect(() => pathInside(root, name, 'test set')).toThrow(PathOutsideFolderError);
  });

  it('names the source, the resolved path and the folder', () => {
    expect(() => pathInside(root, '../x', 'test set')).toThrow(`test set "../x" leads to ${resolve(root, '../x')}, outside ${root}; refused before reading or writing it`);
  });
});

describe('ensureRealChild', () => {
  it('creates the child folder and returns its path', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'tta-keploy-child-'));
    try {
      expect(await ensureRealChild(folder, 'tests')).toBe(join(folder, 'tests'));
      expect(await readdir(folder)).toEqual(['tests']);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('refuses a child that is a symbolic link to a folder outside, with PathOutsideFolderError', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tta-keploy-child-'));
    try {
      await mkdir(join(root, 'set'));
      await mkdir(join(root, 'elsewhere'));
      await symlink(join(root, 'elsewhere'), join(root, 'set', 'tests'));
      await expect(ensureRealChild(join(root, 'set'), 'tests')).rejects.toThrow(PathOutsideFolderError);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
