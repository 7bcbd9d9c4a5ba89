import { describe, expect, it } from 'vitest';
import { describeValue } from './describe-value.js';

describe('describeValue', () => {
  it('describes a revoked proxy without throwing', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(describeValue(proxy)).toBe('a revoked proxy');
    const revokedArray = Proxy.revocable([], {});
    revokedArray.revoke();
    expect(describeValue(revokedArray.proxy)).toBe('a revoked proxy');
  });

  it('describes a proxy whose traps throw, and a class whose constructor name getter throws, without throwing', () => {
    const hostile = new Proxy({}, {
      getPrototypeOf() {
        throw new Error('trap');
      },
    });
    expect(describeValue(hostile)).toBe('an object');
    class Tricky {
      static get name(): string {
        throw new Error('name');
      }
    }
    expect(describeValue(new Tricky())).toBe('an object');
  });

  it('still names arrays, class instances and primitives', () => {
    expect(describeValue([1, 2])).toBe('an array of 2');
    expect(describeValue(new Map())).toBe('a Map');
    expect(describeValue(Object.create(null))).toBe('an object');
    expect(describeValue(1n)).toBe('1');
    expect(describeValue(Symbol('s'))).toBe('a symbol');
  });

  it('names an instance of a class starting with a vowel with "an" (an Error, an AbortController)', () => {
    expect(describeValue(new Error('boom'))).toBe('an Error');
    expect(describeValue(new AbortController())).toBe('an AbortController');
    expect(describeValue(new TypeError('x'))).toBe('a TypeError');
  });
});

describe('describeValue with a credential', () => {
  it('never shows a credential it quotes, even one that fits in the shown 40 characters', () => {
    const githubToken = `ghp_${'A1b2C3d4E5'.repeat(4).slice(0, 36)}`;
    const openAiKey = 'sk-proj-Abc123Def456Ghi789Jkl012Mno345Pqr678';
    expect(describeValue(githubToken)).not.toContain(githubToken.slice(4, 24));
    expect(describeValue(openAiKey)).not.toContain('Abc123Def456');
    expect(describeValue(`password=hunter2-${'x'.repeat(50)}`)).not.toContain('hunter2');
    expect(describeValue('plain words')).toBe('"plain words"');
  });
});
