import { TtaError } from '@tta/primitives';

/**
 * A request body that cannot be read: not JSON, too large, of the wrong media type, or cut off
 * because the client hung up during the upload (499, nothing is sent back).
 */
export class BodyError extends TtaError {
  /** The HTTP status to answer with. */
  readonly status: 400 | 413 | 415 | 499;

  constructor(status: 400 | 413 | 415 | 499, code: string, message: string) {
    super(message, code);
    this.status = status;
  }
}
