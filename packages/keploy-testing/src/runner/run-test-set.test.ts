import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '@tta/primitives';
import { FileTooLargeError } from '../errors/file-too-large-error.js';
import { runTestSet, runTestSets } from './run-test-set.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tta-keploy-run-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('runTestSet', () => {
  it.each(['..', '.', '../..', '/etc', 'a/b', 'C:x'])('refuses testSet %j with InvalidOptionsError instead of running the folder it points to', async (testSet) => {
    const error = await runTestSet({ dir: join(root, 'keploy'), testSet, baseUrl: 'http://127.0.0.1:9', mocks: false }).catch((caught: unknown) => caught);
    expect(InvalidOptionsError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ option: 'testSet' });
  });

  it('refuses a test case file over maxFileBytes with FileTooLargeError', async () => {
    await mkdir(join(root, 'test-set-0', 'tests'), { recursive: true });
    await writeFile(join(root, 'test-set-0', 'tests', 'test-1.yaml'), 'version: api.keploy.io/v1beta1\nkind: Http\nname: test-1\n');
    const error = await runTestSets({ dir: root, baseUrl: 'http://127.0.0.1:9', mocks: false, maxFileBytes: 8 }).catch((caught: unknown) => caught);
    expect(FileTooLargeError.isInstance(error)).toBe(true);
  });
});
