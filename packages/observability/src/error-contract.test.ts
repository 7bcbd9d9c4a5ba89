import { describe, expect, it } from 'vitest';
import { isNonRetryableByDefault } from '@tta/primitives';
import { InitializationFailure } from './initialization-failure.js';
import { MetricsServerError } from './metrics-server-error.js';

describe('observability errors: code, retryable and the options object', () => {
  it('MetricsServerError takes the listen error as its cause and is not retryable', () => {
    const cause = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    const error = new MetricsServerError('127.0.0.1', 9464, { cause });
    expect(error.message).toBe('metrics port 9464 on 127.0.0.1 is already in use');
    expect(error.code).toBe('METRICS_SERVER_UNAVAILABLE');
    expect(error.reason).toBe('EADDRINUSE');
    expect(error.cause).toBe(cause);
    expect(error.retryable).toBe(false);
    expect(isNonRetryableByDefault(error)).toBe(true);
  });

  it('InitializationFailure is not retryable', () => {
    const cause = new Error('exporter');
    const error = new InitializationFailure('sdk-start', 'tracing could not start', { cause });
    expect(error.code).toBe('OBSERVABILITY_NOT_INITIALIZED');
    expect(error.retryable).toBe(false);
    expect(error.cause).toBe(cause);
  });
});
