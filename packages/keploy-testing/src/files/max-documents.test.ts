import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '@tta/primitives';
import { DEFAULT_MAX_DOCUMENTS, resolveMaxDocuments } from './max-documents.js';

describe('resolveMaxDocuments', () => {
  it('defaults to 1,000,000 documents', () => {
    expect(resolveMaxDocuments('readTestSet', undefined)).toBe(DEFAULT_MAX_DOCUMENTS);
    expect(DEFAULT_MAX_DOCUMENTS).toBe(1_000_000);
  });

  it('keeps a positive whole number', () => {
    expect(resolveMaxDocuments('readTestSet', 5)).toBe(5);
  });

  it.each([0, -3, 2.5, Number.NaN, Number.POSITIVE_INFINITY, '10' as unknown as number])('refuses %j with InvalidOptionsError', (value) => {
    expect(() => resolveMaxDocuments('startRecording', value)).toThrow(InvalidOptionsError);
    expect(() => resolveMaxDocuments('startRecording', value)).toThrow('startRecording: option "maxDocuments" must be a positive whole number');
  });
});
