// Shared state (blackboard)
export { STATE_SCOPES, formatAddress } from './state/shared-state.js';
export type {
  SharedState,
  StateScope,
  StateAddress,
  StateEntry,
  StateWriteOptions,
  StateChange,
  StateChangeFilter,
  StateChangeListener,
} from './state/shared-state.js';
export { InMemorySharedState } from './state/in-memory-shared-state.js';
export type { InMemorySharedStateOptions } from './state/in-memory-shared-state.js';
export type { Schema } from './state/schema.js';
export { stateKey } from './state/state-key.js';
export { assertStateAddress, assertStateScope } from './state/assert-state-address.js';
export type { StateKey, StateKeyOptions } from './state/state-key.js';
export { Blackboard } from './state/blackboard.js';
export type { BlackboardBinding, BlackboardWriteOptions, BlackboardUpdateOptions, KeyLike } from './state/blackboard.js';

// Plain data and names, as every store accepts them: helpers for store implementers (as @tta/redis)
export { copyPlainData } from './data/copy-plain-data.js';
export { assertWellFormedName } from './data/assert-well-formed-name.js';

// Agent memory
export type { AgentMemory, MemoryEntry, MemoryDraft, MemoryQuery } from './memory/agent-memory.js';
export { InMemoryAgentMemory } from './memory/in-memory-agent-memory.js';
export type { InMemoryAgentMemoryOptions } from './memory/in-memory-agent-memory.js';
export { validateMemoryDraft } from './memory/validate-memory-draft.js';
export { validateMemoryLookup } from './memory/validate-memory-lookup.js';

// Messages
export type { Mailbox, MailboxMessage, MessageDraft, DirectMessageDraft, MessageListener, ReceiveOptions } from './messaging/mailbox.js';
export { InMemoryMailbox } from './messaging/in-memory-mailbox.js';
export type { InMemoryMailboxOptions } from './messaging/in-memory-mailbox.js';
export { TypedMailbox } from './messaging/typed-mailbox.js';
export { validateMessageNames } from './messaging/validate-message-names.js';
export type { MessageSchemas, TypedMessage, TypedDraft, InvalidMessageEvent } from './messaging/typed-mailbox.js';

// Agents
export { AgentContext } from './context/agent-context.js';
export type { AgentContextOptions, ForAgentOptions, AgentStores } from './context/agent-context.js';
export type { AgentIdentity, HandoffRecord, TransitionKind } from './context/agent-identity.js';
export { defineAgent } from './context/define-agent.js';
export type { AgentDefinition, AgentFunction } from './context/define-agent.js';

// Handoffs
export { AgentHandoffPrimitive } from './handoff/agent-handoff-primitive.js';
export type {
  AgentHandoffOptions,
  HandoffStrategy,
  HandoffCondition,
  HandoffResult,
  HandoffEvent,
  PreserveContext,
  DrainOptions,
  DrainReport,
  DrainFailure,
} from './handoff/agent-handoff-primitive.js';
export type { HandoffQueue, HandoffTask, HandoffDelivery } from './handoff/handoff-queue.js';
export { InMemoryHandoffQueue } from './handoff/in-memory-handoff-queue.js';

// Coordination
export { AgentCoordinationPrimitive } from './coordination/agent-coordination-primitive.js';
export type {
  AgentCoordinationOptions,
  CoordinationStrategy,
  CoordinationResult,
  CoordinationValue,
  AgentOutcome,
} from './coordination/agent-coordination-primitive.js';
// Also adds `handoff` and `agent-settled` to the PrimitiveEvent union of `@tta/primitives/instrumentation`.
export type { AgentSettledEvent } from './agent-events.js';

// Errors
export { StateConflictError } from './errors/state-conflict-error.js';
export { AgentTimeoutError } from './errors/agent-timeout-error.js';
export { CoordinationError } from './errors/coordination-error.js';
export type { AgentFailure, CoordinationFailureReason } from './errors/coordination-error.js';
