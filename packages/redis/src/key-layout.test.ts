import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bullPrefix, escapeGlob, escapeTagPart, kindName, startsWithPattern, storeKey, tagBase } from './key-layout.js';

// SCAN's glob, as Redis's stringmatchlen reads it, for the subset the patterns here use (literal,
// backslash escape, trailing *): enough to prove a pattern matches only what starts with its literal.
function globMatches(pattern: string, key: string): boolean {
  let index = 0;
  for (let position = 0; position < pattern.length; position++) {
    const character = pattern[position]!;
    if (character === '*') return true;
    const literal = character === '\\' ? pattern[++position]! : character;
    if (key[index] !== literal) return false;
    index++;
  }
  return index === key.length;
}

describe('key layout', () => {
  it('puts the kind after the prefix and the escaped tag between braces', () => {
    expect(storeKey('tta:', 'cache', 'llm', 'q')).toBe('tta:cache:{llm}:q');
    expect(storeKey('tta:', 'cache', 'llm:v2', 'q')).toBe('tta:cache:{llm%3Av2}:q');
    expect(storeKey('tta:', 'lease', 'nightly')).toBe('tta:lease:{nightly}');
    expect(storeKey('tta:', 'state', ['session', 'a:b'], 'entry', 'plan')).toBe('tta:state:{session:a%3Ab}:entry:plan');
    expect(tagBase('p:', 'memory', 'x}y{z%')).toBe('p:memory:{x%7Dy%7Bz%25}');
    expect(kindName('tta:', 'state', 'changes')).toBe('tta:state:changes');
    expect(bullPrefix('tta:', 'workflows')).toBe('tta:bull:{workflows}');
  });

  it('keeps names that Redis would merge apart: lone surrogates are escaped, not replaced', () => {
    expect(escapeTagPart('secret-\ud800')).toBe('secret-%uD800');
    expect(escapeTagPart('secret-\udfff')).toBe('secret-%uDFFF');
    expect(escapeTagPart('ok-\u{1F600}')).toBe('ok-\u{1F600}');
  });

  it('escapes every glob character and the backslash in SCAN patterns', () => {
    expect(escapeGlob('a\\b*c?[d]')).toBe('a\\\\b\\*c\\?\\[d\\]');
    expect(startsWithPattern('tta:cache:{a\\b}:')).toBe('tta:cache:{a\\\\b}:*');
    expect(globMatches(startsWithPattern('tta:cache:{a\\b}:'), 'tta:cache:{ab}:k')).toBe(false);
    expect(globMatches(startsWithPattern('tta:cache:{a\\b}:'), 'tta:cache:{a\\b}:k')).toBe(true);
  });

  it('never lets one tag base be the start of another tag base, of any kind, nor its pattern match it', () => {
    const kinds = ['cache', 'circuit', 'ratelimit', 'lease', 'state', 'memory', 'mailbox', 'bull'] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.constantFrom(...kinds),
        fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 3 }),
        fc.string({ unit: 'binary' }),
        (leftKind, rightKind, leftTag, rightTag, rest) => {
          const left = tagBase('tta:', leftKind, leftTag);
          const right = storeKey('tta:', rightKind, rightTag, rest);
          const same = leftKind === rightKind && JSON.stringify(leftTag) === JSON.stringify(rightTag);
          expect(right.startsWith(left)).toBe(same);
          expect(globMatches(startsWithPattern(left), right)).toBe(same);
        },
      ),
      { numRuns: 500 },
    );
  });
});
