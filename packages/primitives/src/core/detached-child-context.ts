import { signalParent } from './abort.js';
import { WorkflowContext, type ChildContextOverrides } from './workflow-context.js';

/**
 * A child of `parent` (same correlation id, state, checkpoints and logger) that only `signal`
 * cancels: it is not linked to the parent's signal, so it leaves no listener there. For an owner
 * that forwards the run's cancellation itself while the child works, as `@tta/agent-context` does
 * for each agent of a coordination.
 *
 * @example
 * ```ts
 * const owned = new AbortController();
 * const agentContext = detachedChildContext(context, { data: { agent: 'writer' } }, owned.signal);
 * // later, when the run is cancelled: owned.abort(context.abortReason)
 * ```
 */
export function detachedChildContext(parent: WorkflowContext, overrides: ChildContextOverrides, signal: AbortSignal): WorkflowContext {
  return WorkflowContext.derive(parent, overrides, signalParent(signal));
}
