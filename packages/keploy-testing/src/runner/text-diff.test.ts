import { describe, expect, it } from 'vitest';
import { lineDiff } from './text-diff.js';

describe('lineDiff', () => {
  it('marks removed and added lines around the common ones', () => {
    expect(lineDiff('a\nb\nc', 'a\nx\nc')).toEqual(['  a', '- b', '+ x', '  c']);
  });

  it('shows added trailing lines', () => {
    expect(lineDiff('a', 'a\nb')).toEqual(['  a', '+ b']);
  });
});
