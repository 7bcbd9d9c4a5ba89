import { describe, expect, it } from 'vitest';
import { scrubErrorText } from './scrub-error-text.js';

describe('scrubErrorText', () => {
  it('removes the userinfo and the query of URLs and keeps the rest of the text', () => {
    expect(scrubErrorText('could not reach https://user:pa55@gw.example:8443/v1/chat?access_token=abc&x=1#frag (refused)')).toBe(
      'could not reach https://gw.example:8443/v1/chat (refused)',
    );
  });

  it('redacts credential-shaped tokens outside URLs', () => {
    const scrubbed = scrubErrorText('upstream said: Authorization: Bearer abcdef123456 and sk-abcdefghijklmnopqrstu');
    expect(scrubbed).not.toMatch(/abcdef123456|sk-abcdefghijklmnop/);
    expect(scrubbed).toContain('upstream said');
  });

  it('leaves text without URLs or secrets unchanged', () => {
    expect(scrubErrorText('All 2 alternatives failed: big: HTTP 503; small: HTTP 503')).toBe('All 2 alternatives failed: big: HTTP 503; small: HTTP 503');
  });

  it('scrubs 100 KB of dotted or dashed words in linear time (no scan restarted at each boundary)', () => {
    for (const text of ['a.'.repeat(50_000), 'a-'.repeat(50_000), `${'a.'.repeat(50_000)}https://user:pw@h.example/x?token=t`]) {
      const started = performance.now();
      const scrubbed = scrubErrorText(text);
      expect(performance.now() - started).toBeLessThan(500);
      expect(scrubbed).not.toContain('user:pw');
    }
  });

  it('removes the userinfo of a URL whose scheme follows dots or digits', () => {
    expect(scrubErrorText('see...https://user:pa55@gw.example/v1?k=1 now')).toBe('see...https://gw.example/v1 now');
    expect(scrubErrorText('1https://user:pa55@gw.example/v1')).toBe('1https://gw.example/v1');
  });
});
