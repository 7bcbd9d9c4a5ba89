import { InvalidOptionsError } from '@tta/primitives';
import { describeValue, requireNonEmptyString } from '@tta/primitives/instrumentation';
import type { AgentIdentity } from './agent-identity.js';

/**
 * Checks an agent identity and returns a frozen copy with `capabilities` filled in; a bad identity
 * gives an `InvalidOptionsError` of `owner` naming `option`.
 */
export function normaliseAgent(agent: AgentIdentity, owner: string, option = 'agent'): Readonly<Required<AgentIdentity>> {
  const fail = (field: string, rule: string): never => {
    throw new InvalidOptionsError(owner, field, rule);
  };
  if (typeof agent !== 'object' || agent === null) fail(option, `must be an object with id and role (got ${describeValue(agent)})`);
  const { id, role } = agent;
  requireNonEmptyString(owner, `${option}.id`, id);
  if (typeof role !== 'string' || role.length === 0) fail(`${option}.role`, `of agent ${describeValue(id)} must be a non-empty string (got ${describeValue(role)})`);
  const capabilities = agent.capabilities ?? [];
  if (!Array.isArray(capabilities) || !capabilities.every((capability) => typeof capability === 'string')) {
    fail(`${option}.capabilities`, `of agent ${describeValue(id)} must be an array of strings (got ${describeValue(capabilities)})`);
  }
  return Object.freeze({ id, role, capabilities: Object.freeze([...capabilities]) });
}
