import type { WorkflowContext } from './workflow-context.js';

/**
 * What an integration has attached to the run `context` belongs to under `key` (see
 * {@link setRunExtension}); `undefined` when nothing is. Every context of one run, children and
 * branches included, sees the same value. Cheap enough for an instrumentation's `around`.
 *
 * @example
 * ```ts
 * const journalKey = Symbol('my-journal');
 * const journal = getRunExtension<string[]>(context, journalKey);
 * ```
 */
export function getRunExtension<TValue>(context: WorkflowContext, key: symbol): TValue | undefined {
  return context._runExtensions(false)?.get(key) as TValue | undefined;
}

/**
 * Attaches `value` to the run `context` belongs to, under `key` (a symbol the integration owns),
 * for the instrumentations that serve that run: `@tta/durable` finds a run's journal this way, so
 * the steps of other runs pass through untouched. `undefined` removes the value.
 *
 * @example
 * ```ts
 * const journalKey = Symbol('my-journal');
 * setRunExtension(context, journalKey, []);
 * ```
 */
export function setRunExtension(context: WorkflowContext, key: symbol, value: unknown): void {
  if (value === undefined) context._runExtensions(false)?.delete(key);
  else context._runExtensions(true)!.set(key, value);
}
