// Behaviour suites for store implementations (vitest required). A store passes when its suite is green.
export { describeSharedStateContract } from './shared-state-suite.js';
export type { SharedStateContractSetup } from './shared-state-suite.js';
export { describeAgentMemoryContract } from './agent-memory-suite.js';
export type { AgentMemoryContractSetup } from './agent-memory-suite.js';
export { describeMailboxContract } from './mailbox-suite.js';
export type { MailboxContractSetup } from './mailbox-suite.js';
export { describeHandoffQueueContract } from './handoff-queue-suite.js';
