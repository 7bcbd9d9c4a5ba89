import { describe, it, expect } from 'vitest';
import { TtaError } from '@tta/primitives';
import { StateConflictError } from './state-conflict-error.js';
import { AgentTimeoutError } from './agent-timeout-error.js';
import { CoordinationError } from './coordination-error.js';

describe('agent-context errors', () => {
  const errors = [
    new StateConflictError('workflow:run:key', 1, 2),
    new AgentTimeoutError('coder', 100),
    new CoordinationError('panel', 'all-failed', [{ agentId: 'a', status: 'rejected', error: new Error('x') }]),
  ];

  it('are TtaErrors with a stable code and their class name', () => {
    expect(errors.map((error) => [error.name, error.code, TtaError.isInstance(error)])).toEqual([
      ['StateConflictError', 'STATE_CONFLICT', true],
      ['AgentTimeoutError', 'AGENT_TIMEOUT', true],
      ['CoordinationError', 'COORDINATION_FAILED', true],
    ]);
  });

  it('are recognised by brand, also as plain objects from another copy of the package', () => {
    const [conflict, timeout, coordination] = errors;
    expect(StateConflictError.isInstance(conflict)).toBe(true);
    expect(StateConflictError.isInstance(timeout)).toBe(false);
    expect(AgentTimeoutError.isInstance(timeout)).toBe(true);
    expect(CoordinationError.isInstance(coordination)).toBe(true);
    const foreign = { [Symbol.for('@tta/agent-context.StateConflictError')]: true };
    expect(StateConflictError.isInstance(foreign)).toBe(true);
    expect(StateConflictError.isInstance(undefined)).toBe(false);
  });

  it('keep the cause', () => {
    const cause = new Error('first failure');
    const error = new CoordinationError('panel', 'all-failed', [{ agentId: 'a', status: 'rejected', error: cause }]);
    expect(error.cause).toBe(cause);
  });
});

describe('agent-context errors quoting user data', () => {
  const stripeKey = `sk_live_${'aB3dE5fG7hJ9kL2mN4pQ6rS8'}`;

  it('CoordinationError redacts credentials an agent error quoted, keeping the error itself', () => {
    const cause = new Error(`upstream refused ${stripeKey}`);
    const error = new CoordinationError('panel', 'all-failed', [{ agentId: 'a', status: 'rejected', error: cause }]);
    expect(error.message).toContain('upstream refused [REDACTED]');
    expect(error.message).not.toContain(stripeKey);
    expect(error.failures[0]!.error).toBe(cause);
  });
});
