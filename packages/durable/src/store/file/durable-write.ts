import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

/** @internal Flushes a directory's entries (a created, renamed or removed name) to the disk. */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** @internal Writes `content` to a new file and flushes it before returning. */
export async function writeSynced(file: string, content: string, flag: 'w' | 'wx' = 'w'): Promise<void> {
  const handle = await open(file, flag);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * @internal Replaces `file` with `content` all at once: written and flushed beside it in
 * `temporaryDirectory` (same file system), renamed over it, then the directory flushed. A crash
 * leaves the old file or the new one, never a mix.
 */
export async function replaceAtomically(file: string, content: string, temporaryDirectory: string, directory: string, durable = true): Promise<void> {
  const temporary = join(temporaryDirectory, `${randomUUID()}.tmp`);
  try {
    if (durable) await writeSynced(temporary, content, 'wx');
    else {
      const handle = await open(temporary, 'wx');
      try {
        await handle.writeFile(content, 'utf8');
      } finally {
        await handle.close();
      }
    }
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  if (durable) await syncDirectory(directory);
}

/** @internal Appends one line to `file` and flushes it (fsync) before returning; the file must exist. */
export async function appendSynced(file: string, line: string): Promise<void> {
  // 'r+' with an explicit append position would race other appenders; O_APPEND puts each write at
  // the end atomically, so concurrent appenders never overwrite each other.
  const handle = await open(file, 'a');
  try {
    const bytes = Buffer.from(line, 'utf8');
    let written = 0;
    // One write is one record for any size a regular file takes at once; the loop covers a short write.
    while (written < bytes.length) written += (await handle.write(bytes, written, bytes.length - written)).bytesWritten;
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
