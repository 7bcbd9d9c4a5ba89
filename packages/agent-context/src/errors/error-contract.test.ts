import { describe, expect, it } from 'vitest';
import { isNonRetryableByDefault, type TtaError, type TtaErrorCode } from '@tta/primitives';
import { AgentTimeoutError } from './agent-timeout-error.js';
import { CoordinationError } from './coordination-error.js';
import { StateConflictError } from './state-conflict-error.js';

const cause = new Error('root cause');
const failures = [{ agentId: 'a', status: 'rejected' as const, error: new Error('x') }];

describe('agent-context errors: code, retryable and the options object', () => {
  it.each([
    ['AgentTimeoutError', new AgentTimeoutError('coder', 100, { cause }), 'AGENT_TIMEOUT', true, 'Agent "coder" timed out after 100 ms'],
    ['StateConflictError', new StateConflictError('workflow:run:key', 1, 2, { cause }), 'STATE_CONFLICT', true, 'State conflict on "workflow:run:key": expected version 1, found 2'],
    ['CoordinationError', new CoordinationError('panel', 'all-failed', failures, undefined, { cause }), 'COORDINATION_FAILED', true, undefined],
  ] as const)('%s', (_, error: TtaError<TtaErrorCode>, code, retryable, message) => {
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(isNonRetryableByDefault(error)).toBe(!retryable);
    expect(error.cause).toBe(cause);
    if (message !== undefined) expect(error.message).toBe(message);
  });

  it('CoordinationError still takes the first failure as its cause when none is given', () => {
    expect(new CoordinationError('panel', 'all-failed', failures).cause).toBe(failures[0]!.error);
  });
});
