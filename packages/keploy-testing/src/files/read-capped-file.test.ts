import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '@tta/primitives';
import { FileTooLargeError } from '../errors/file-too-large-error.js';
import { DEFAULT_MAX_FILE_BYTES, readCappedFile, resolveMaxFileBytes } from './read-capped-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tta-keploy-capped-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readCappedFile', () => {
  it('reads a file at the limit whole', async () => {
    const file = join(dir, 'mocks.yaml');
    await writeFile(file, 'kind: Http\n');
    expect(await readCappedFile(file, 11)).toBe('kind: Http\n');
  });

  it('reads an empty file as empty text', async () => {
    const file = join(dir, 'mocks.yaml');
    await writeFile(file, '');
    expect(await readCappedFile(file, 10)).toBe('');
  });

  it('refuses a file one byte over the limit with FileTooLargeError naming the file, its size, the limit and the option', async () => {
    const file = join(dir, 'mocks.yaml');
    await writeFile(file, 'kind: Http\n');
    const error = await readCappedFile(file, 10).catch((caught: unknown) => caught);
    expect(FileTooLargeError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'FILE_TOO_LARGE', file, sizeBytes: 11, limitBytes: 10, retryable: false });
    expect((error as Error).message).toBe(
      `${file} is 11 bytes, over the limit of 10 bytes for Keploy files; raise it with the maxFileBytes option (--max-file-bytes for tta-keploy) if the file is trusted`,
    );
  });

  it('refuses a sparse 2 GiB file from its size alone', async () => {
    const file = join(dir, 'mocks.yaml');
    await writeFile(file, '');
    await truncate(file, 2 * 1024 ** 3);
    await expect(readCappedFile(file, DEFAULT_MAX_FILE_BYTES)).rejects.toMatchObject({ sizeBytes: 2 * 1024 ** 3, limitBytes: 256 * 1024 ** 2 });
  });

  it('refuses a folder where a file is expected', async () => {
    await expect(readCappedFile(dir, 10)).rejects.toThrow('is not a regular file');
  });

  it('passes ENOENT through for a missing file', async () => {
    await expect(readCappedFile(join(dir, 'missing.yaml'), 10)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('resolveMaxFileBytes', () => {
  it('defaults to 256 MiB', () => {
    expect(resolveMaxFileBytes('readTestSet', undefined)).toBe(256 * 1024 * 1024);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 40, '1024' as unknown as number])('refuses %j with InvalidOptionsError', (value) => {
    expect(() => resolveMaxFileBytes('readTestSet', value)).toThrow(InvalidOptionsError);
    expect(() => resolveMaxFileBytes('readTestSet', value)).toThrow('readTestSet: option "maxFileBytes" must be a positive whole number of bytes');
  });
});
