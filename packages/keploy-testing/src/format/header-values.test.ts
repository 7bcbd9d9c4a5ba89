import { describe, expect, it } from 'vitest';
import { headerValueMatches, headerValues, splitSetCookie } from './header-values.js';

describe('header values', () => {
  it('splits a Set-Cookie line at cookie boundaries, never at the comma of an Expires date', () => {
    expect(splitSetCookie('a=1; Path=/; HttpOnly,b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/, c=3')).toEqual([
      'a=1; Path=/; HttpOnly',
      'b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/',
      'c=3',
    ]);
    expect(splitSetCookie('only=1; Expires=Thu, 01 Jan 2026 00:00:00 GMT')).toEqual(['only=1; Expires=Thu, 01 Jan 2026 00:00:00 GMT']);
  });

  it('compares Set-Cookie as a list joined with "," (or ", "), and other headers whatever the space after a comma', () => {
    const headers = new Headers();
    headers.append('set-cookie', 'a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT');
    headers.append('set-cookie', 'b=2');
    headers.append('vary', 'Accept');
    headers.append('vary', 'Origin');
    expect(headerValues(headers, 'Set-Cookie')).toEqual(['a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT', 'b=2']);
    expect(headerValueMatches('a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT,b=2', headerValues(headers, 'set-cookie')!, 'Set-Cookie')).toBe(true);
    expect(headerValueMatches('a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT', headerValues(headers, 'set-cookie')!, 'Set-Cookie')).toBe(false);
    expect(headerValueMatches('Accept,Origin', headerValues(headers, 'vary')!, 'Vary')).toBe(true);
    expect(headerValueMatches('Origin,Accept', headerValues(headers, 'vary')!, 'Vary')).toBe(false);
    expect(headerValues(headers, 'x-missing')).toBeUndefined();
  });
});
