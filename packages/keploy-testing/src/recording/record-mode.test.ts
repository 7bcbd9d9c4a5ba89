import { InvalidOptionsError } from '@tta/primitives';
import { describe, expect, it } from 'vitest';
import { resolveRecordMode } from './record-mode.js';

describe('resolveRecordMode', () => {
  it('uses TTA_RECORD_MODE over the mode in code, the mode in code otherwise, and replay by default', () => {
    expect(resolveRecordMode('replay', { TTA_RECORD_MODE: 'update' })).toBe('update');
    expect(resolveRecordMode('record', { TTA_RECORD_MODE: ' OFF ' })).toBe('off');
    expect(resolveRecordMode('record', { TTA_RECORD_MODE: '' })).toBe('record');
    expect(resolveRecordMode(undefined, {})).toBe('replay');
  });

  it('refuses unknown modes, naming the variable or the option', () => {
    expect(() => resolveRecordMode('replay', { TTA_RECORD_MODE: 'yes' })).toThrow(/TTA_RECORD_MODE/);
    expect(() => resolveRecordMode('live' as never, {})).toThrow(InvalidOptionsError);
  });
});
