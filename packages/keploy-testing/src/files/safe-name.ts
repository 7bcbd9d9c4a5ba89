import { mkdir, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { PathOutsideFolderError } from '../errors/path-outside-folder-error.js';
import { UnsafeNameError } from '../errors/unsafe-name-error.js';

// Separators of both platforms, `:` (a Windows drive `C:` or an NTFS stream `name:stream`) and control
// characters (NUL truncates a path in C APIs, newlines forge log lines).
// eslint-disable-next-line no-control-regex
const forbiddenCharacter = /[/\\:\u0000-\u001f\u007f]/;

/** Under the usual 255-byte file name limit, with room for `.yaml` and the temporary suffix of an atomic write. */
const maxNameBytes = 200;

/**
 * Why `name` cannot be used as one file or folder name, or `undefined` when it can: test set, test case
 * and mock names must be plain names, so that a name read from a file or given as an option never points
 * outside its folder.
 */
export function nameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return `not a string but ${name === null ? 'null' : typeof name}`;
  if (name === '') return 'empty';
  if (name.trim() === '') return 'only white space';
  if (name === '.' || name === '..') return 'a relative folder';
  const character = forbiddenCharacter.exec(name);
  if (character !== null) return `contains ${JSON.stringify(character[0])}`;
  if (Buffer.byteLength(name) > maxNameBytes) return `longer than ${maxNameBytes} bytes`;
  return undefined;
}

/**
 * Returns `name` when it is a plain file name.
 *
 * @throws UnsafeNameError naming `subject` (e.g. `test case`) and `file`, when it came from one.
 */
export function assertSafeName(name: string, subject: string, file?: string): string {
  const problem = nameProblem(name);
  if (problem !== undefined) throw new UnsafeNameError(subject, String(name), problem, file);
  return name;
}

/** True when `target` is strictly inside `folder` (both absolute). */
const isStrictlyInside = (folder: string, target: string): boolean => {
  const fromFolder = relative(folder, target);
  return fromFolder !== '' && fromFolder.split(/[/\\]/)[0] !== '..' && !isAbsolute(fromFolder);
};

/**
 * Resolves `name` inside `root` and checks the result stays there: the second line of defence after the
 * name check, so a path built from outside input can never leave its folder.
 *
 * @throws PathOutsideFolderError when the resolved path is `root` itself or outside it.
 */
export function pathInside(root: string, name: string, subject: string): string {
  const base = resolve(root);
  const target = resolve(base, name);
  if (!isStrictlyInside(base, target)) throw new PathOutsideFolderError(`${subject} ${JSON.stringify(name)}`, target, base);
  return target;
}

/**
 * Creates `folder/child` when missing and checks that, with symbolic links followed, it is still the
 * child of `folder`: a `tests` link planted in a shared test set must not carry writes elsewhere.
 *
 * @throws PathOutsideFolderError when the child leads outside `folder`.
 */
export async function ensureRealChild(folder: string, child: string): Promise<string> {
  const path = join(folder, child);
  await mkdir(path, { recursive: true });
  const [realFolder, realPath] = await Promise.all([realpath(folder), realpath(path)]);
  if (realPath !== join(realFolder, child)) throw new PathOutsideFolderError(`folder ${child} (a symbolic link)`, realPath, realFolder);
  return path;
}
