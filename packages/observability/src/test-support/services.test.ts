import { afterEach, describe, expect, it, vi } from 'vitest';
import { findBinary, freePort } from './services.js';

describe('findBinary', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('skips loudly when a server binary is missing', () => {
    vi.stubEnv('TTA_REQUIRE_SERVICES', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(findBinary('tta-no-such-server', [])).toBeUndefined();
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/tta-no-such-server is not installed: the tests that need it are SKIPPED/);
  });

  it('fails instead of skipping when TTA_REQUIRE_SERVICES=1', () => {
    vi.stubEnv('TTA_REQUIRE_SERVICES', '1');
    expect(() => findBinary('tta-no-such-server', [])).toThrow(/TTA_REQUIRE_SERVICES=1/);
  });

  it('finds an installed binary on the PATH', () => {
    expect(findBinary('sh', [])).toMatch(/\/sh$/);
  });

  it('hands out a loopback port', async () => {
    expect(await freePort()).toBeGreaterThan(0);
  });
});
