import { open, stat } from 'node:fs/promises';
import { InvalidOptionsError } from '@tta/primitives';
import { FileTooLargeError } from '../errors/file-too-large-error.js';

/**
 * Default largest Keploy file read: 256 MiB. Real `mocks.yaml` files reach tens of MiB; parsing costs
 * several times the file's size in memory, so a bound keeps a hostile or runaway file from exhausting it.
 */
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;

/** Node cannot hold a longer string (about 512 MiB of text); a larger limit could never be honoured. */
const maxStringBytes = 0x1fffffe8;

/**
 * Checks a `maxFileBytes` option and returns the limit to use.
 *
 * @throws InvalidOptionsError naming `owner` when it is not a positive integer up to 512 MiB.
 */
export function resolveMaxFileBytes(owner: string, value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_FILE_BYTES;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0 || value > maxStringBytes) {
    throw new InvalidOptionsError(owner, 'maxFileBytes', `must be a positive whole number of bytes up to ${maxStringBytes} (got ${String(value)})`);
  }
  return value;
}

/**
 * Reads a text file of at most `maxFileBytes` bytes. The size is checked before reading, and the read
 * itself stops one byte past the limit, so a file that grows meanwhile (or a device such as /dev/zero)
 * cannot make it read more.
 *
 * @throws FileTooLargeError naming the file, its size and the limit.
 * @throws the file system's error (`ENOENT`...) as it is.
 */
export async function readCappedFile(file: string, maxFileBytes: number): Promise<string> {
  const info = await stat(file);
  // A FIFO would block the open until a writer comes; only regular files are Keploy files.
  if (!info.isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'EISDIR' });
  if (info.size > maxFileBytes) throw new FileTooLargeError(file, info.size, maxFileBytes);
  const handle = await open(file, 'r');
  try {
    let buffer = Buffer.allocUnsafe(Math.min(info.size, maxFileBytes) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        // Grown since stat: keep reading up to one byte past the limit.
        if (length > maxFileBytes) throw new FileTooLargeError(file, length, maxFileBytes);
        const grown = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxFileBytes + 1));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    await handle.close();
  }
}
