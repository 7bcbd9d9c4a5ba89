import { InvalidOptionsError, LambdaPrimitive, WorkflowPrimitive, type WorkflowContext } from '@tta/primitives';
import { describeValue } from '@tta/primitives/instrumentation';
import { AgentContext } from './agent-context.js';
import type { AgentIdentity } from './agent-identity.js';
import { normaliseAgent } from './normalise-agent.js';

/** An agent: who it is and the primitive that does its work. */
export interface AgentDefinition<TInput, TOutput> {
  readonly agent: AgentIdentity;
  readonly primitive: WorkflowPrimitive<TInput, TOutput>;
}

/** The work of an agent as a function: input first, then the agent's context. */
export type AgentFunction<TInput, TOutput> = (input: TInput, context: AgentContext) => TOutput | PromiseLike<TOutput>;

/**
 * The context the agent runs in: the given one when it is already this agent's (handoffs and
 * coordinations prepare it), a handoff from the current agent otherwise, or a new agent context on
 * a plain WorkflowContext.
 */
function contextFor(agent: AgentIdentity, context: WorkflowContext): AgentContext {
  const current = AgentContext.of(context);
  if (current === undefined) return AgentContext.create({ workflow: context, agent });
  return current.agent.id === agent.id ? current : current.forAgent(agent);
}

/**
 * Pairs an agent identity with its work, given as a primitive or as a function of `(input, context)`
 * whose context is the agent's {@link AgentContext}: called with another agent's context, the
 * function gets a context for this agent (recorded as a handoff in the history). A bad identity or
 * work gives an `InvalidOptionsError`.
 *
 * @example
 * <!-- snippet-prelude: declare function review(draft: string, signal: AbortSignal): Promise<string>; -->
 * ```ts
 * const reviewer = defineAgent({ id: 'reviewer', role: 'reviewer' }, async (draft: string, context) => review(draft, context.signal));
 * ```
 */
export function defineAgent<TInput, TOutput>(
  agent: AgentIdentity,
  work: WorkflowPrimitive<TInput, TOutput> | AgentFunction<TInput, TOutput>,
): AgentDefinition<TInput, TOutput> {
  const identity = normaliseAgent(agent, 'defineAgent');
  if (work instanceof WorkflowPrimitive) return { agent: identity, primitive: work };
  if (typeof work !== 'function') {
    throw new InvalidOptionsError('defineAgent', 'work', `of agent ${describeValue(identity.id)} must be a primitive or a function (got ${describeValue(work)})`);
  }
  const primitive = new LambdaPrimitive<TInput, TOutput>((input: TInput, context: WorkflowContext) => work(input, contextFor(identity, context)), { name: identity.id });
  return { agent: identity, primitive };
}
