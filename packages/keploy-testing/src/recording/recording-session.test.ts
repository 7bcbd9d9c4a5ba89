import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '@tta/primitives';
import { FileTooLargeError } from '../errors/file-too-large-error.js';
import { startRecording } from './recording-session.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tta-keploy-session-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('startRecording', () => {
  it.each(['..', '.', '', ' ', 'a/b', '../escape', '/abs', '//x', 'a\\b', 'C:x', 'nul\0'])(
    'refuses testSet %j with InvalidOptionsError and writes nothing, in record mode too',
    async (testSet) => {
      const dir = join(root, 'keploy');
      const error = await startRecording({ dir, testSet, mode: 'record', env: {} }).then(async (session) => session.stop()).catch((caught: unknown) => caught);
      expect(InvalidOptionsError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain('startRecording: option "testSet" must be a folder name such as "test-set-0"');
      expect(await readdir(root)).toEqual([]);
    },
  );

  it('refuses testSet ".." even when TTA_RECORD_MODE=off', async () => {
    await expect(startRecording({ dir: root, testSet: '..', env: { TTA_RECORD_MODE: 'off' } })).rejects.toThrow(InvalidOptionsError);
  });

  it('refuses an invalid maxFileBytes with InvalidOptionsError', async () => {
    await expect(startRecording({ dir: root, testSet: 'test-set-0', maxFileBytes: 0, env: {} })).rejects.toMatchObject({ option: 'maxFileBytes' });
  });

  it('rejects with FileTooLargeError for a mocks.yaml over maxFileBytes, and intercepts nothing', async () => {
    const set = join(root, 'test-set-0');
    await mkdir(set, { recursive: true });
    await writeFile(join(set, 'mocks.yaml'), 'version: api.keploy.io/v1beta1\nkind: Http\nname: mock-0\n');
    const error = await startRecording({ dir: root, testSet: 'test-set-0', mode: 'replay', maxFileBytes: 8, env: {} }).catch((caught: unknown) => caught);
    expect(FileTooLargeError.isInstance(error)).toBe(true);
    // A second session can start: the failed one left no interception behind.
    const session = await startRecording({ dir: root, testSet: 'test-set-1', mode: 'record', env: {} });
    await session.stop();
    expect(existsSync(join(root, 'test-set-1', 'mocks.yaml'))).toBe(true);
  });
});
