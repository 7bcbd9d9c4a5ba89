import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LabelGuard, looksUnbounded, otherLabel } from './label-guard.js';

describe('LabelGuard', () => {
  it('passes names through until the limit, then answers other', () => {
    const guard = new LabelGuard(2);
    expect(guard.label('parse')).toBe('parse');
    expect(guard.label('summarise')).toBe('summarise');
    expect(guard.label('third')).toBe(otherLabel);
    expect(guard.label('parse')).toBe('parse');
    expect(guard.size).toBe(2);
  });

  it.each([
    'https://api.example.com/v1/chat',
    '550e8400-e29b-41d4-a716-446655440000',
    'user-1234567890',
    'deadbeefdeadbeefdeadbeef',
    'Summarise the following text please',
    'alice@example.com',
    'search?q=x',
    'x'.repeat(65),
    '',
  ])('refuses %j, which looks like an id, a URL or free text', (value) => {
    expect(looksUnbounded(value)).toBe(true);
    expect(new LabelGuard(10).label(value)).toBe(otherLabel);
  });

  it.each(['parse', 'fetch-user', 'llm:summarise', 'claude-3-5-sonnet-20241022', 'gpt-4o-mini', 'retry.step_2'])('accepts the name %j', (value) => {
    expect(looksUnbounded(value)).toBe(false);
  });

  it('refuses a credential as a label value', () => {
    const guard = new LabelGuard(100);
    for (const secret of ['sk-live-4f9a2c7e1b', 'glpat-aB3dE5fG7hJ9kL2mN4pQ', 'ASIAABCDEFGHIJKLMNOP']) expect(guard.label(secret)).toBe(otherLabel);
    expect(guard.label('call-upstream')).toBe('call-upstream');
  });

  it('never yields more than limit + 1 distinct labels, whatever it is fed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.string({ maxLength: 12 }), { maxLength: 300 }), (limit, values) => {
        const guard = new LabelGuard(limit);
        const labels = new Set(values.map((value) => guard.label(value)));
        expect(labels.size).toBeLessThanOrEqual(limit + 1);
        for (const label of labels) expect(label === otherLabel || values.includes(label)).toBe(true);
      }),
    );
  });
});

/** Heap in use after full collections (gc exposed at run time: the unit tests run without --expose-gc). */
function settledHeapBytes(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let round = 0; round < 3; round++) gc();
  return process.memoryUsage().heapUsed;
}

/** A distinct flat string of `length` letters: a random 16-letter head, then filler (no digits or hex runs, so a cut of it reads like a name). */
function letters(length: number): string {
  const bytes = Buffer.alloc(length, 'g');
  for (let index = 0; index < 16; index++) bytes[index] = 103 + Math.floor(Math.random() * 20);
  return bytes.toString('latin1');
}

describe('LabelGuard memory', () => {
  it('keeps heap growth under 2 MB when fed 2,000 distinct 100 KB values', () => {
    const guard = new LabelGuard(100);
    const before = settledHeapBytes();
    for (let index = 0; index < 2_000; index++) expect(guard.label(letters(100_000))).toBe(otherLabel);
    expect(settledHeapBytes() - before).toBeLessThan(2 * 1024 * 1024);
  }, 30_000);

  it('does not keep a long string alive through a kept or refused value cut from it', () => {
    const guard = new LabelGuard(100);
    const before = settledHeapBytes();
    const labels = new Set<string>();
    for (let index = 0; index < 1_100; index++) labels.add(guard.label(letters(100_000).slice(0, 40)));
    expect(labels.size).toBe(101);
    expect(settledHeapBytes() - before).toBeLessThan(2 * 1024 * 1024);
  }, 30_000);
});

