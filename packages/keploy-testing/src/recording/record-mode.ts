import { InvalidOptionsError } from '@tta/primitives';

/**
 * - `record`: every request goes to the network and is recorded; `stop()` rewrites the HTTP mocks.
 * - `replay`: every request is answered from the recordings; an unmatched one fails with `UnmatchedRequestError`.
 * - `update`: recorded requests are replayed; the others go to the network and are added.
 * - `off`: nothing is intercepted.
 */
export type RecordMode = 'record' | 'replay' | 'update' | 'off';

const modes: readonly RecordMode[] = ['record', 'replay', 'update', 'off'];

/** Name of the environment variable that overrides the mode given in code. */
export const RECORD_MODE_VARIABLE = 'TTA_RECORD_MODE';

/** True when `value` is a {@link RecordMode}. */
export function isRecordMode(value: unknown): value is RecordMode {
  return typeof value === 'string' && (modes as readonly string[]).includes(value);
}

/** The effective mode: `TTA_RECORD_MODE` when set, else the mode given, else `'replay'`. */
export function resolveRecordMode(mode: RecordMode | undefined, env: Readonly<Record<string, string | undefined>>): RecordMode {
  const fromEnv = env[RECORD_MODE_VARIABLE]?.trim().toLowerCase();
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!isRecordMode(fromEnv)) throw new InvalidOptionsError('startRecording', RECORD_MODE_VARIABLE, `must be one of ${modes.join(', ')} (got "${fromEnv}")`);
    return fromEnv;
  }
  if (mode === undefined) return 'replay';
  if (!isRecordMode(mode)) throw new InvalidOptionsError('startRecording', 'mode', `must be one of ${modes.join(', ')}`);
  return mode;
}
