import { getRunExtension, registerInstrumentation, type ExecutionInfo, type Instrumentation } from '@tta/primitives/instrumentation';
import type { Disposable } from '@tta/primitives';
import type { RunJournal } from './run-journal.js';

/** @internal Where a durable run's context keeps its journal (see `setRunExtension`). */
export const journalKey: unique symbol = Symbol.for('@tta/durable.journal');

/**
 * The instrumentation through which durable runs journal their steps. It is registered only while
 * at least one durable run is active in the process, so that when none is, primitives take their
 * uninstrumented fast path and durability costs nothing; a step of another (non-durable) run that
 * executes meanwhile finds no journal on its context and passes straight through.
 */
const journalInstrumentation: Instrumentation = {
  around<T>(execution: ExecutionInfo, run: () => Promise<T>): Promise<T> {
    const journal = getRunExtension<RunJournal>(execution.context, journalKey);
    return journal === undefined ? run() : journal.around(execution, run);
  },
  onEvent(event, source): void {
    if (event.type !== 'usage' || source.context === undefined) return;
    getRunExtension<RunJournal>(source.context, journalKey)?.noteUsage(source.context, event);
  },
};

/**
 * Kept on a `Symbol.for` global, as the core keeps its registry: with two installed copies of this
 * package, one journal instrumentation serves both, so no step is journaled twice.
 */
const registry = ((globalThis as Record<symbol, unknown>)[Symbol.for('@tta/durable.journal-registration')] ??= {
  activeRuns: 0,
  registration: undefined,
}) as { activeRuns: number; registration: Disposable | undefined };

/** Counts one more active durable run; returns the function that counts it out (call it once). */
export function activateJournal(): () => void {
  if (registry.activeRuns++ === 0) registry.registration = registerInstrumentation(journalInstrumentation);
  let active = true;
  return () => {
    if (!active) return;
    active = false;
    if (--registry.activeRuns === 0) {
      registry.registration?.dispose();
      registry.registration = undefined;
    }
  };
}

/** Durable runs active in this process (for tests and the benchmark). */
export function activeDurableRuns(): number {
  return registry.activeRuns;
}
