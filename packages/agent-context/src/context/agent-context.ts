import { InvalidOptionsError, WorkflowContext } from '@tta/primitives';
import { assertSpecificationVersion, describeValue, detachedChildContext, requireNonEmptyString, requireOptionsObject } from '@tta/primitives/instrumentation';
import type { AgentMemory, MemoryDraft, MemoryEntry, MemoryQuery } from '../memory/agent-memory.js';
import { InMemoryAgentMemory } from '../memory/in-memory-agent-memory.js';
import type { Mailbox } from '../messaging/mailbox.js';
import { InMemoryMailbox } from '../messaging/in-memory-mailbox.js';
import { Blackboard } from '../state/blackboard.js';
import { InMemorySharedState } from '../state/in-memory-shared-state.js';
import type { SharedState } from '../state/shared-state.js';
import type { AgentIdentity, HandoffRecord, TransitionKind } from './agent-identity.js';
import { normaliseAgent } from './normalise-agent.js';

/** The stores an agent context reaches; every run of a process usually shares one set. */
export interface AgentStores {
  readonly sharedState: SharedState;
  readonly memory: AgentMemory;
  readonly mailbox: Mailbox;
}

/** Options of {@link AgentContext.create}. */
export interface AgentContextOptions {
  /** The run this agent works in; its correlation id, signal, deadline, clock and logger carry over. */
  readonly workflow: WorkflowContext;
  /** The agent now in charge. */
  readonly agent: AgentIdentity;
  /** Scope id of `session` state. @default none (session keys are refused) */
  readonly sessionId?: string;
  /** Shared state (blackboard) store. @default a new InMemorySharedState on the workflow's clock */
  readonly sharedState?: SharedState;
  /** Agent memory store. @default a new InMemoryAgentMemory on the workflow's clock */
  readonly memory?: AgentMemory;
  /** Mailbox. @default a new InMemoryMailbox on the workflow's clock */
  readonly mailbox?: Mailbox;
  /** Transitions before this one (when a run continues, for example from a queued handoff). @default [] */
  readonly history?: readonly HandoffRecord[];
  /** Replaces the workflow's data for this agent. @default the workflow's data */
  readonly data?: Readonly<Record<string, unknown>>;
  /** An extra signal that cancels this agent (not the run). */
  readonly signal?: AbortSignal;
}

/** Options of {@link AgentContext.forAgent}. */
export interface ForAgentOptions {
  /** How control moves. @default 'handoff' */
  readonly kind?: TransitionKind;
  /** Why, recorded in the history. */
  readonly reason?: string;
  /** Data the next agent sees. @default this context's data */
  readonly data?: Readonly<Record<string, unknown>>;
  /** An extra signal that cancels the next agent (not this one). */
  readonly signal?: AbortSignal;
}

// Steps nested inside an agent (in a parallel, say) get plain child contexts; these share the
// agent context's own `data` object, whose hidden (non-enumerable, never cloned) property points
// back to the agent context: that is how `AgentContext.of` finds the agent again.
const agentLink = Symbol('@tta/agent-context.agent');

/**
 * A {@link WorkflowContext} that knows which agent is running: identity (id, role, capabilities),
 * the history of handoffs, and the stores agents share (blackboard, memory, mailbox). Every agent of
 * a run has the same correlation id, state map, checkpoints and logger; each has its own data and
 * may have its own cancellation. Pass it wherever a WorkflowContext goes.
 *
 * @example
 * ```ts
 * const context = AgentContext.create({ workflow: WorkflowContext.create(), agent: { id: 'planner', role: 'planner' } });
 * const coderContext = context.forAgent({ id: 'coder', role: 'coder', capabilities: ['typescript'] }, { reason: 'plan ready' });
 * coderContext.correlationId === context.correlationId; // true
 * ```
 */
export class AgentContext extends WorkflowContext {
  /** The agent now in charge. */
  declare readonly agent: Readonly<Required<AgentIdentity>>;
  /** Every transition of the run so far, oldest first; the last one brought {@link agent} in. */
  declare readonly history: readonly HandoffRecord[];
  /** Scope id of `session` state, when the run has a session. */
  declare readonly sessionId: string | undefined;
  /** The stores this run reaches. */
  declare readonly stores: AgentStores;
  /** The WorkflowContext this agent context was built on. */
  declare readonly workflow: WorkflowContext;
  private declare blackboardView: Blackboard | undefined;

  // Agent contexts are made by `create` and `forAgent`, which build them on a child of the run's context.
  private constructor() {
    super();
    throw new InvalidOptionsError('AgentContext', 'constructor', 'is not public: use AgentContext.create({ workflow, agent }) or context.forAgent(agent)');
  }

  /** Builds the context of the first agent of a run; bad options give an `InvalidOptionsError`. */
  static override create(options: AgentContextOptions): AgentContext {
    validateCreateOptions(options);
    const workflow = options.workflow;
    const agent = normaliseAgent(options.agent, 'AgentContext');
    const clock = workflow.clock;
    const stores: AgentStores = {
      sharedState: options.sharedState ?? new InMemorySharedState({ clock }),
      memory: options.memory ?? new InMemoryAgentMemory({ clock }),
      mailbox: options.mailbox ?? new InMemoryMailbox({ clock }),
    };
    const history = options.history ?? [];
    const start: HandoffRecord = { to: agent.id, at: Math.floor(clock.now()), kind: 'start' };
    return build(workflow, {
      agent,
      history: history.length === 0 ? [start] : history,
      sessionId: options.sessionId,
      stores,
      data: options.data ?? workflow.data,
      signal: options.signal,
    });
  }

  /**
   * The agent context of `context`: itself when it is one, the enclosing agent's for a plain child
   * context made inside an agent's step (for example by `parallel`), otherwise undefined.
   */
  static of(context: WorkflowContext): AgentContext | undefined {
    if (context instanceof AgentContext) return context;
    const linked = (context.data as Record<symbol, unknown>)[agentLink];
    return linked instanceof AgentContext ? linked : undefined;
  }

  /**
   * Context of `agent` taking over from this one: same run, history extended by one transition. A
   * bad identity or bad options give an `InvalidOptionsError`.
   */
  forAgent(agent: AgentIdentity, options: ForAgentOptions = {}): AgentContext {
    const next = normaliseAgent(agent, 'AgentContext.forAgent');
    validateForAgentOptions(options);
    const record: HandoffRecord = {
      from: this.agent.id,
      to: next.id,
      at: Math.floor(this.clock.now()),
      kind: options.kind ?? 'handoff',
      ...(options.reason === undefined ? {} : { reason: options.reason }),
    };
    return build(this, {
      agent: next,
      history: [...this.history, record],
      sessionId: this.sessionId,
      stores: this.stores,
      data: options.data ?? this.data,
      signal: options.signal,
      workflow: this.workflow,
    });
  }

  /** The agent that handed over to this one, when there was one. */
  get previousAgentId(): string | undefined {
    return this.history[this.history.length - 1]?.from;
  }

  /** True when the current agent declares `capability`. */
  hasCapability(capability: string): boolean {
    return this.agent.capabilities.includes(capability);
  }

  /** Shared state seen from this run and stamped with this agent's id. */
  get blackboard(): Blackboard {
    const runSignal = (): AbortSignal => this.signal;
    return (this.blackboardView ??= new Blackboard(this.stores.sharedState, {
      workflowId: this.correlationId,
      agentId: this.agent.id,
      ...(this.sessionId === undefined ? {} : { sessionId: this.sessionId }),
      clock: this.clock,
      // A getter: the run's signal is made on first use, and only an update that waits needs it.
      get signal() {
        return runSignal();
      },
    }));
  }

  /** Stores `content` in memory as this agent's. */
  remember<T>(content: T, options: Omit<MemoryDraft<T>, 'agentId' | 'content'> = {}): Promise<MemoryEntry<T>> {
    return this.stores.memory.store({ ...options, agentId: this.agent.id, content });
  }

  /** Queries memory: this agent's entries unless the query names another `agentId` (use `stores.memory` for everyone's). */
  recall<T = unknown>(query: MemoryQuery = {}): Promise<MemoryEntry<T>[]> {
    return this.stores.memory.query<T>({ agentId: this.agent.id, ...query });
  }
}

interface AgentFields {
  readonly agent: Readonly<Required<AgentIdentity>>;
  readonly history: readonly HandoffRecord[];
  readonly sessionId: string | undefined;
  readonly stores: AgentStores;
  readonly data: Readonly<Record<string, unknown>>;
  readonly signal: AbortSignal | undefined;
  readonly workflow?: WorkflowContext;
  /** When set, the only cancellation of the new context (see {@link ownedAgentContext}). */
  readonly owned?: AbortSignal;
}

/**
 * @internal The context of `agent` taking over from `base`, cancelled by `signal` only: it is not
 * linked to the run's signal, so it leaves no listener there. Its owner (a coordination) forwards
 * the run's cancellation to `signal` while the agent works.
 */
export function ownedAgentContext(base: AgentContext, agent: Readonly<Required<AgentIdentity>>, kind: TransitionKind, signal: AbortSignal): AgentContext {
  const record: HandoffRecord = { from: base.agent.id, to: agent.id, at: Math.floor(base.clock.now()), kind };
  return build(base, {
    agent,
    history: [...base.history, record],
    sessionId: base.sessionId,
    stores: base.stores,
    data: base.data,
    signal: undefined,
    workflow: base.workflow,
    owned: signal,
  });
}

function build(parent: WorkflowContext, fields: AgentFields): AgentContext {
  // Each agent gets its own data object; it carries a hidden link back to the agent context.
  const data: Record<string, unknown> = { ...fields.data };
  const child =
    fields.owned !== undefined
      ? detachedChildContext(parent, { data }, fields.owned)
      : parent.child(fields.signal === undefined ? { data } : { data, signal: fields.signal });
  // `child()` is the public way to share the run's cancellation, state and logger. Its fields are
  // copied onto an object made with the AgentContext prototype (changing the prototype of the child
  // instead would push it into a slow dictionary mode).
  const context = Object.assign(Object.create(AgentContext.prototype) as AgentContext, child, {
    agent: fields.agent,
    history: Object.freeze([...fields.history]),
    sessionId: fields.sessionId,
    stores: fields.stores,
    workflow: fields.workflow ?? parent,
    blackboardView: undefined,
  });
  Object.defineProperty(data, agentLink, { value: context });
  Object.freeze(data);
  return context;
}

const transitionKinds: readonly TransitionKind[] = ['start', 'handoff', 'queued-handoff', 'coordination'];

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function isSignal(value: unknown): value is AbortSignal {
  return isObject(value) && typeof (value as AbortSignal).addEventListener === 'function' && typeof (value as AbortSignal).aborted === 'boolean';
}

function validateCreateOptions(options: AgentContextOptions): void {
  const fail = (option: string, rule: string): never => {
    throw new InvalidOptionsError('AgentContext', option, rule);
  };
  if (!isObject(options)) fail('options', `must be an object with workflow and agent (got ${describeValue(options)})`);
  const { workflow, sessionId, history, data, signal } = options;
  if (!(workflow instanceof WorkflowContext)) fail('workflow', `must be a WorkflowContext (got ${describeValue(workflow)})`);
  if (sessionId !== undefined) requireNonEmptyString('AgentContext', 'sessionId', sessionId);
  for (const store of ['sharedState', 'memory', 'mailbox'] as const) {
    if (options[store] !== undefined && !isObject(options[store])) fail(store, `must be a store object (got ${describeValue(options[store])})`);
    if (options[store] !== undefined) assertSpecificationVersion('AgentContext', store, options[store]);
  }
  if (history !== undefined && !Array.isArray(history)) fail('history', `must be an array of handoff records (got ${describeValue(history)})`);
  if (data !== undefined && !isObject(data)) fail('data', `must be an object (got ${describeValue(data)})`);
  if (signal !== undefined && !isSignal(signal)) fail('signal', `must be an AbortSignal (got ${describeValue(signal)})`);
}

function validateForAgentOptions(options: ForAgentOptions): void {
  const fail = (option: string, rule: string): never => {
    throw new InvalidOptionsError('AgentContext.forAgent', option, rule);
  };
  requireOptionsObject('AgentContext.forAgent', options, { optional: true });
  const { kind, reason, data, signal } = options;
  if (kind !== undefined && !transitionKinds.includes(kind)) fail('kind', `must be one of ${transitionKinds.map((name) => `'${name}'`).join(', ')} (got ${describeValue(kind)})`);
  if (reason !== undefined && typeof reason !== 'string') fail('reason', `must be a string (got ${describeValue(reason)})`);
  if (data !== undefined && !isObject(data)) fail('data', `must be an object (got ${describeValue(data)})`);
  if (signal !== undefined && !isSignal(signal)) fail('signal', `must be an AbortSignal (got ${describeValue(signal)})`);
}
