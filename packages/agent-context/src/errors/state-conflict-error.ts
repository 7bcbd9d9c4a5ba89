import { TtaError, type TtaErrorOptions } from '@tta/primitives';
import { hasBrand } from './brand.js';

const marker = Symbol.for('@tta/agent-context.StateConflictError');

/**
 * Thrown by a compare-and-set whose expected version is not the entry's current version: another
 * writer got there first. Read the entry again, recompute, and retry (or use `Blackboard.update`).
 */
export class StateConflictError extends TtaError<'STATE_CONFLICT'> {
  private readonly [marker] = true;
  /** Another writer got there first: reading again and writing on the new version may succeed. */
  override readonly retryable: boolean = true;
  /** The key that was written, as `scope:scopeId:key`. */
  readonly key: string;
  /** The version the writer expected (0: the entry must not exist). */
  readonly expectedVersion: number;
  /** The version found (0: the entry does not exist). */
  readonly actualVersion: number;

  constructor(key: string, expectedVersion: number, actualVersion: number, options: TtaErrorOptions = {}) {
    super(
      `State conflict on "${key}": expected version ${expectedVersion}, found ${actualVersion}${actualVersion === 0 ? ' (no entry)' : ''}`,
      'STATE_CONFLICT',
      options,
    );
    this.key = key;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }

  /** True when `error` is a StateConflictError, from any copy of the package. */
  static override isInstance(error: unknown): error is StateConflictError {
    return hasBrand(error, marker);
  }
}
