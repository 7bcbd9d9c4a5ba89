import { describe, expect, it } from 'vitest';
import { payloadPreview } from './payload-preview.js';

const apiKey = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';

describe('payloadPreview', () => {
  it('costs the same for a 20 MB input as for a small one: only what the preview shows is redacted', () => {
    const huge = 'a '.repeat(10_000_000);
    payloadPreview({ text: huge.slice(0, 100_000) });
    const started = performance.now();
    const preview = payloadPreview({ text: huge, list: [huge, huge] });
    const elapsedMs = performance.now() - started;
    expect(preview.length).toBeLessThanOrEqual(4001);
    // Redacting all 60 MB took about 1 s; the part shown takes well under a millisecond.
    expect(elapsedMs).toBeLessThan(100);
  });

  it('still redacts a key that straddles the end of what is shown', () => {
    const text = `${'x'.repeat(3990)} ${apiKey} ${'y'.repeat(10_000)}`;
    expect(payloadPreview(text)).not.toContain(apiKey.slice(0, 12));
    expect(payloadPreview({ nested: [{ text }] })).not.toContain(apiKey.slice(0, 12));
  });

  it('keeps key-named secrets and short payloads as before', () => {
    expect(payloadPreview({ apiKey: 'plain', list: [1, 2, 3], note: `use ${apiKey}` })).toBe('{"apiKey":"[REDACTED]","list":[1,2,3],"note":"use [REDACTED]"}');
  });
});

describe('payloadPreview with unreadable values', () => {
  it('shows the readable fields of an object whose getter throws', () => {
    const input = {
      order: 'o-1',
      get broken(): string {
        throw new Error('getter exploded');
      },
    };
    expect(payloadPreview(input)).toBe('{"order":"o-1","broken":"[Unreadable]"}');
  });
});
