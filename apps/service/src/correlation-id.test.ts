import { describe, expect, it } from 'vitest';
import { MAX_CORRELATION_ID_LENGTH, sanitizeCorrelationId } from './correlation-id.js';

describe('sanitizeCorrelationId', () => {
  it('keeps an ordinary id as it is', () => {
    expect(sanitizeCorrelationId('req-42_abc.DEF:1')).toBe('req-42_abc.DEF:1');
  });

  it('drops C0 and C1 controls (U+0085 NEL, U+009B CSI), DEL and non-ASCII', () => {
    expect(sanitizeCorrelationId('a\u0085b\u009b[31mc\u007f\u0000d\u00e9 e\u2028')).toBe('ab[31mcde');
  });

  it('gives undefined for nothing usable, a repeated header, or an overlong id', () => {
    expect(sanitizeCorrelationId(undefined)).toBeUndefined();
    expect(sanitizeCorrelationId('\u0085\u009b ')).toBeUndefined();
    expect(sanitizeCorrelationId(['a', 'b'])).toBeUndefined();
    expect(sanitizeCorrelationId('x'.repeat(MAX_CORRELATION_ID_LENGTH))).toHaveLength(MAX_CORRELATION_ID_LENGTH);
    expect(sanitizeCorrelationId('x'.repeat(MAX_CORRELATION_ID_LENGTH + 1))).toBeUndefined();
  });
});
