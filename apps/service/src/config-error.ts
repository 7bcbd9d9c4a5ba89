import { TtaError } from '@tta/primitives';

/** A setting that cannot be used; the one-line message names the environment variable to fix. */
export class ConfigError extends TtaError {
  constructor(message: string) {
    super(message, 'CONFIG');
  }
}
