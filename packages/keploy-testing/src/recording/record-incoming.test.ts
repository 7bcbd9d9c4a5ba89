import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '@tta/primitives';
import { recordIncoming } from './record-incoming.js';

describe('recordIncoming', () => {
  it.each(['..', '.', '', 'a/b', '../escape', '/abs', 'a\\b', 'C:x', 'nul\0'])('refuses testSet %j with InvalidOptionsError', (testSet) => {
    expect(() => recordIncoming({ dir: 'keploy', testSet })).toThrow(InvalidOptionsError);
    expect(() => recordIncoming({ dir: 'keploy', testSet })).toThrow('recordIncoming: option "testSet" must be a folder name such as "test-set-0"');
  });

  it('accepts a plain test set name', () => {
    expect(() => recordIncoming({ dir: 'keploy', testSet: 'test-set-0', enabled: false })).not.toThrow();
  });
});
