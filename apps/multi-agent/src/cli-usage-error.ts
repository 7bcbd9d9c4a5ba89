import { TtaError } from '@tta/primitives';

/** A command line that cannot run; the message is one line that says what to change. */
export class CliUsageError extends TtaError {
  constructor(message: string) {
    super(message, 'CLI_USAGE');
  }
}
