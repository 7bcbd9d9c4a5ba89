import type { AgentIdentity } from './agent-identity.js';

/** Checks an agent identity and returns a frozen copy with `capabilities` filled in. */
export function normaliseAgent(agent: AgentIdentity, where: string): Readonly<Required<AgentIdentity>> {
  if (typeof agent !== 'object' || agent === null) throw new TypeError(`${where}: agent must be an object with id and role`);
  if (typeof agent.id !== 'string' || agent.id.length === 0) throw new TypeError(`${where}: agent.id must be a non-empty string`);
  if (typeof agent.role !== 'string' || agent.role.length === 0) throw new TypeError(`${where}: agent "${agent.id}" needs a non-empty role`);
  const capabilities = agent.capabilities ?? [];
  if (!Array.isArray(capabilities) || !capabilities.every((capability) => typeof capability === 'string')) {
    throw new TypeError(`${where}: capabilities of agent "${agent.id}" must be an array of strings`);
  }
  return Object.freeze({ id: agent.id, role: agent.role, capabilities: Object.freeze([...capabilities]) });
}
