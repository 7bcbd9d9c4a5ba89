import { TtaError } from '@tta/primitives';

/** A request body that cannot be read: not JSON, too large, or of the wrong media type. */
export class BodyError extends TtaError {
  /** The HTTP status to answer with. */
  readonly status: 400 | 413 | 415;

  constructor(status: 400 | 413 | 415, code: string, message: string) {
    super(message, code);
    this.status = status;
  }
}
