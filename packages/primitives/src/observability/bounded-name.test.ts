import { describe, expect, it } from 'vitest';
import { boundedMetricName, maxMetricNameLength, wholeCharactersHead } from './bounded-name.js';

/** What a UTF-8 exporter writes and reads back: a lone surrogate would come back as U+FFFD. */
const survivesUtf8 = (text: string): boolean => Buffer.from(text, 'utf8').toString('utf8') === text;

describe('boundedMetricName', () => {
  it('keeps a name up to the limit as it is', () => {
    const name = 'x'.repeat(maxMetricNameLength);
    expect(boundedMetricName(name)).toBe(name);
  });

  it('never cuts a character in half, whatever the alignment of a long name built from request data', () => {
    for (let letters = 180; letters < 192; letters++) {
      const bounded = boundedMetricName(`${'a'.repeat(letters)}${'😀'.repeat(20)}`);
      expect(bounded.length).toBeLessThanOrEqual(maxMetricNameLength);
      expect(survivesUtf8(bounded), bounded).toBe(true);
    }
  });
});

describe('wholeCharactersHead', () => {
  it('stops before the first half of a character rather than after it', () => {
    expect(wholeCharactersHead('ab😀c', 3)).toBe('ab');
    expect(wholeCharactersHead('ab😀c', 4)).toBe('ab😀');
    expect(wholeCharactersHead('abcd', 3)).toBe('abc');
  });
});
