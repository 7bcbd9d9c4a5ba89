import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { REDACTED } from '@tta/primitives/logging';
import { errorMessage, safeName, safeString } from './span-attributes.js';

/** Heap in use after full collections (gc exposed at run time: the unit tests run without --expose-gc). */
function settledHeapBytes(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let round = 0; round < 3; round++) gc();
  return process.memoryUsage().heapUsed;
}

const letters = (length: number): string => Buffer.from(randomBytes(length).map((byte) => 103 + (byte % 20))).toString('latin1');

describe('span-safe strings', () => {
  it('replaces a value holding any known credential shape whole and cuts long values', () => {
    expect(safeString('refused glpat-aB3dE5fG7hJ9kL2mN4pQ6 for ada')).toBe(REDACTED);
    expect(errorMessage(new Error('auth: "ada:opensesame-7" refused'))).toBe(REDACTED);
    expect(safeString('plain failure')).toBe('plain failure');
    expect(safeString('x'.repeat(5_000)).length).toBeLessThan(1_100);
  });

  it('names a span after a credential-free name as it is and hides a credential name', () => {
    expect(safeName('call-upstream')).toBe('call-upstream');
    expect(safeName('hf_aBcDeFgHiJkLmNoPqRsTuVwXyZaBcDeFgH')).toBe(REDACTED);
  });

  it('keeps bounded memory when fed 1,100 names cut from 100 KB strings and 200 distinct 100 KB names', () => {
    const before = settledHeapBytes();
    for (let index = 0; index < 1_100; index++) safeName(letters(100_000).slice(0, 40));
    for (let index = 0; index < 200; index++) safeName(letters(100_000));
    expect(settledHeapBytes() - before).toBeLessThan(2 * 1024 * 1024);
  }, 30_000);
});
