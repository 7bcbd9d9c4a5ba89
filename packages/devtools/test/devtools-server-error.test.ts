import { describe, expect, it } from 'vitest';
import { isNonRetryableByDefault, type TtaErrorCode } from '@tta/primitives';
import { DevtoolsServerError } from '@tta/devtools';

describe('DevtoolsServerError', () => {
  it('names the port and the reason, keeps the listen error as its cause and is not retryable', () => {
    const cause = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    const error = new DevtoolsServerError('127.0.0.1', 4320, { cause });
    expect(error.message).toBe('devtools port 4320 on 127.0.0.1 is already in use (pass another port, or 0 for a free one)');
    const code: TtaErrorCode = error.code;
    expect(code).toBe('DEVTOOLS_SERVER_UNAVAILABLE');
    expect(error.reason).toBe('EADDRINUSE');
    expect(error.cause).toBe(cause);
    expect(error.retryable).toBe(false);
    expect(isNonRetryableByDefault(error)).toBe(true);
    expect(DevtoolsServerError.isInstance(error)).toBe(true);
    expect(DevtoolsServerError.isInstance(new Error('x'))).toBe(false);
  });

  it('says when a port cannot be bound for another reason', () => {
    const error = new DevtoolsServerError('10.0.0.1', 80, { cause: Object.assign(new Error('denied'), { code: 'EACCES' }) });
    expect(error.message).toBe('devtools port 80 on 10.0.0.1 cannot be bound (EACCES)');
  });
});
