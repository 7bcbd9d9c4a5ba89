import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { readServiceConfig } from './service-config.js';

describe('readServiceConfig: shared state', () => {
  it('keeps the state in the process without REDIS_URL or REDIS_CLUSTER_NODES, with no rate limit', () => {
    const config = readServiceConfig({});
    expect(config.redis).toBeUndefined();
    expect(config).toMatchObject({ redisPrefix: 'tta:', rateLimitPerSecond: 0, breakerFailures: 5, breakerBreakMs: 30_000, breakerRefreshMs: 250 });
  });

  it('reads one Redis, or the node list of a cluster, and the rate limit', () => {
    expect(readServiceConfig({ REDIS_URL: 'redis://cache:6379/1' }).redis).toEqual({ url: 'redis://cache:6379/1' });
    expect(readServiceConfig({ REDIS_CLUSTER_NODES: 'redis://a:7000, redis://b:7001,' }).redis).toEqual({ cluster: ['redis://a:7000', 'redis://b:7001'] });
    expect(readServiceConfig({ RATE_LIMIT_PER_SECOND: '20' })).toMatchObject({ rateLimitPerSecond: 20, rateLimitBurst: 20 });
  });

  it('refuses both variables at once, and a URL that is not redis://, naming the variable without its password', () => {
    expect(() => readServiceConfig({ REDIS_URL: 'redis://a:1', REDIS_CLUSTER_NODES: 'redis://b:2' })).toThrow(ConfigError);
    expect(() => readServiceConfig({ REDIS_URL: 'http://user:secret@a:1' })).toThrow(/REDIS_URL.*\*\*\*@a:1/);
    expect(() => readServiceConfig({ REDIS_URL: 'http://user:secret@a:1' })).not.toThrow(/secret/);
    expect(() => readServiceConfig({ REDIS_CLUSTER_NODES: 'redis://a:1,a:2' })).toThrow(/REDIS_CLUSTER_NODES/);
    expect(() => readServiceConfig({ RATE_LIMIT_PER_SECOND: '-1' })).toThrow(/RATE_LIMIT_PER_SECOND/);
  });
});
