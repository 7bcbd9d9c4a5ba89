import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnsafeNameError } from '../errors/unsafe-name-error.js';
import { assertSafeName, nameProblem, pathInside } from './safe-name.js';

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

  it.each(['..', '.', '../x', '/etc', 'a/../../b', ''])('refuses %j, which resolves to the root or outside it', (name) => {
    expect(() => pathInside(root, name, 'test set')).toThrow(UnsafeNameError);
  });
});
