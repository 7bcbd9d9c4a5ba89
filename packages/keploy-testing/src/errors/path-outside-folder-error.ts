import type { TtaErrorOptions } from '@tta/primitives';
import { TtaError, hasMarkerOf } from './marker.js';

const marker = Symbol.for('@tta/keploy-testing.PathOutsideFolderError');

/**
 * Thrown before a read or write whose path, once resolved (`..`, a drive letter, a symbolic link such as
 * a `tests` folder linked elsewhere), would leave the folder it belongs to. Nothing is written.
 */
export class PathOutsideFolderError extends TtaError<'PATH_OUTSIDE_FOLDER'> {
  private readonly [marker] = true;
  /** The path as resolved. */
  readonly path: string;
  /** The folder it had to stay in. */
  readonly folder: string;
  /** Never worth retrying: the same path fails the same way. */
  override readonly retryable: boolean = false;

  /** `what` names the source of the path, e.g. `test set ".."` or `folder tests (a symbolic link)`. */
  constructor(what: string, path: string, folder: string, options: TtaErrorOptions = {}) {
    super(`${what} leads to ${path}, outside ${folder}; refused before reading or writing it`, 'PATH_OUTSIDE_FOLDER', options);
    this.path = path;
    this.folder = folder;
  }

  /** True when `error` is a PathOutsideFolderError, from any copy of the package. */
  static override isInstance(error: unknown): error is PathOutsideFolderError {
    return hasMarkerOf(error, marker);
  }
}
