import type { AnyPrimitive } from './workflow-primitive.js';
import { declinedByAll, type ExecutionInfo, type Instrumentation } from '../observability/instrumentation.js';
import { WorkflowContext } from './workflow-context.js';

const noInstrumentations: readonly Instrumentation[] = [];

/** What `_children()` lists: a child primitive and what it is to its parent (a key, a route...). */
interface ChildEntry {
  readonly label: string | undefined;
  readonly primitive: AnyPrimitive;
}

/** The optional `_children()` a composite implements; read by shape so this file imports no class. */
interface WithChildren {
  _children?(): readonly ChildEntry[];
}

/**
 * @internal One execution of a primitive while an instrumentation is registered: the parent of
 * the executions it starts, and the {@link ExecutionInfo} the instrumentations see (one object,
 * so an instrumented execution allocates it once). Occurrences are counted per parent execution,
 * not per run, so the branches of a `parallel` or the items of a `batch` never race for a number:
 * each subtree counts its own children, and the same definition gives the same paths in every
 * process.
 */
export class StepFrame implements ExecutionInfo {
  private pathValue: string | undefined;
  /** Executions started under this one so far, by the slot of their segment; made on the first child. */
  private counts: number[] | undefined = undefined;
  /** Executions of children the parent does not list, by segment (a custom composite's). */
  private unlistedCounts: Map<string, number> | undefined = undefined;
  /** This primitive's children's segments (shared by all its executions); read on the first child. */
  private children: ChildTable | undefined = undefined;
  /** The primitive's `name`. */
  readonly name: string;
  /** The primitive's kind. */
  readonly kind: string;
  /** The context this execution's own steps run on; set by `enter` right after the frame exists. */
  context: WorkflowContext = undefined as unknown as WorkflowContext;
  /** @internal When a composite reports this execution itself: the clock reading at its start. */
  _startMs = 0;
  /** @internal ...and the instrumentations registered at its start, the ones told of its end. */
  _instrumentations: readonly Instrumentation[] = noInstrumentations;
  /**
   * @internal The instrumentations that declined this execution's run (see `observeRun`), the same
   * for every execution of the run; undefined when none did.
   */
  _declined: readonly Instrumentation[] | undefined = undefined;
  /** @internal The registered ones less `_declined`, as computed from the registry `_observersOf`. */
  _observers: readonly Instrumentation[] = noInstrumentations;
  /** @internal The registry list `_observers` was computed from (recomputed when it changes). */
  _observersOf: readonly Instrumentation[] | undefined = undefined;

  /**
   * @internal The frame of a run that every registered instrumentation declined: it observes
   * nothing, so each execution of the run takes the path it would take with none registered.
   */
  static readonly unobserved: StepFrame = StepFrame.makeUnobserved();

  private constructor(
    readonly parent: StepFrame | undefined,
    readonly primitive: AnyPrimitive,
    /** This execution's own part of the path: segment, `~n` sibling suffix and `#n` occurrence. */
    readonly segment: string,
    readonly input: unknown,
  ) {
    this.pathValue = parent === undefined ? segment : undefined;
    this.name = primitive.name;
    this.kind = primitive.kind;
  }

  /** A child of `outer` for a run every instrumentation declined (see {@link StepFrame.unobserved}). */
  static unobservedContext(outer: WorkflowContext): WorkflowContext {
    return WorkflowContext.withFrame(outer, StepFrame.unobserved);
  }

  private static makeUnobserved(): StepFrame {
    const frame = new StepFrame(undefined, { name: '', kind: '' } as AnyPrimitive, '', undefined);
    // Declined by all, for good: `observersOf` finds its observers computed for every registry, so
    // none registered later hears the rest of such a run (its executions have no frames to nest in).
    frame._declined = declinedByAll;
    return frame;
  }

  /** The step path: every segment from the root joined with `/` (built once, on first read). */
  get path(): string {
    return (this.pathValue ??= `${this.parent!.path}/${this.segment}`);
  }

  /**
   * The execution of `primitive` on `input` under the execution `outer` runs in (the root when it
   * runs in none), with the context its own steps run on.
   */
  static enter(outer: WorkflowContext, primitive: AnyPrimitive, input: unknown): StepFrame {
    const parent = outer._frame;
    let frame: StepFrame;
    if (parent === undefined) frame = new StepFrame(undefined, primitive, escapeSegment(primitive.name), input);
    else {
      // Counted in an array slot per distinct segment: a Map per parent execution and a string
      // lookup per step cost more than the rest of the frame.
      const table = (parent.children ??= tableOf(parent.primitive));
      const listed = table.byChild.get(primitive);
      const base = listed === undefined ? escapeSegment(primitive.name) : listed.segment;
      const slot = listed === undefined ? (table.slotBySegment.get(base) ?? -1) : listed.slot;
      let occurrence: number;
      if (slot >= 0) {
        const counts = (parent.counts ??= new Array<number>(table.slotBySegment.size).fill(0));
        occurrence = ++counts[slot]!;
      } else {
        const counts = (parent.unlistedCounts ??= new Map());
        occurrence = (counts.get(base) ?? 0) + 1;
        counts.set(base, occurrence);
      }
      frame = new StepFrame(parent, primitive, occurrence === 1 ? base : `${base}#${occurrence}`, input);
      const declined = parent._declined;
      if (declined !== undefined) {
        frame._declined = declined;
        frame._observers = parent._observers;
        frame._observersOf = parent._observersOf;
      }
    }
    frame.context = WorkflowContext.withFrame(outer, frame);
    return frame;
  }
}

/** A listed child's segment and the counter slot it shares with every child of that segment. */
interface ChildSlot {
  readonly segment: string;
  readonly slot: number;
}

/** What a parent's executions need to name their children, computed once per parent. */
interface ChildTable {
  readonly byChild: ReadonlyMap<AnyPrimitive, ChildSlot>;
  readonly slotBySegment: ReadonlyMap<string, number>;
}

/** Children tables of each parent, computed once per parent (definitions do not change). */
const tablesByParent = new WeakMap<AnyPrimitive, ChildTable>();

/**
 * The segment `child` has under `parent`: its name when it has one of its own (a name other than
 * its kind, given or derived like `retry(fetch)`), else the label its parent gives it (a parallel
 * key, a route, `then`), else its kind; siblings sharing a segment get `~2`, `~3` in definition
 * order. A child the parent does not list (a custom primitive calling another directly) is named
 * by its own name.
 */
function childSegment(parent: AnyPrimitive, child: AnyPrimitive): string {
  return tableOf(parent).byChild.get(child)?.segment ?? escapeSegment(child.name);
}

function tableOf(parent: AnyPrimitive): ChildTable {
  let table = tablesByParent.get(parent);
  if (table === undefined) {
    const byChild = new Map<AnyPrimitive, ChildSlot>();
    const slotBySegment = new Map<string, number>();
    for (const [child, segment] of siblingSegments(parent)) {
      let slot = slotBySegment.get(segment);
      if (slot === undefined) slotBySegment.set(segment, (slot = slotBySegment.size));
      byChild.set(child, { segment, slot });
    }
    table = { byChild, slotBySegment };
    tablesByParent.set(parent, table);
  }
  return table;
}

function siblingSegments(parent: AnyPrimitive): Map<AnyPrimitive, string> {
  const segments = new Map<AnyPrimitive, string>();
  const listChildren = (parent as unknown as WithChildren)._children;
  if (typeof listChildren !== 'function') return segments;
  const seen = new Map<string, number>();
  for (const { label, primitive } of listChildren.call(parent)) {
    const own = primitive.name !== primitive.kind || label === undefined || label === '' ? primitive.name : label;
    const base = escapeSegment(own);
    const position = (seen.get(base) ?? 0) + 1;
    seen.set(base, position);
    // The same instance listed twice keeps its first segment; its second run is told apart by `#2`.
    if (!segments.has(primitive)) segments.set(primitive, position === 1 ? base : `${base}~${position}`);
  }
  return segments;
}

/**
 * Every step path `workflow`'s definition can produce, without the `#n` occurrence suffixes that
 * only a run adds (a retry's second attempt `a/call#2` is `a/call` here), in definition order.
 * For tools that match a journal or events to a definition: `@tta/durable` names the recorded
 * steps a changed definition no longer has.
 *
 * @example
 * ```ts
 * const fetchPage = step('fetch', async (url: string) => url);
 * stepPaths(retry(fetchPage)); // ['retry(fetch)', 'retry(fetch)/fetch']
 * ```
 */
export function stepPaths(workflow: AnyPrimitive): string[] {
  const paths: string[] = [];
  const walk = (node: AnyPrimitive, path: string, ancestors: readonly AnyPrimitive[]): void => {
    paths.push(path);
    // A definition is built bottom-up, so it has no cycles; the guard keeps a hand-made one finite.
    if (ancestors.includes(node) || ancestors.length >= maxDefinitionDepth) return;
    const listChildren = (node as unknown as WithChildren)._children;
    if (typeof listChildren !== 'function') return;
    const seen = new Set<AnyPrimitive>();
    for (const { primitive } of listChildren.call(node)) {
      if (seen.has(primitive)) continue;
      seen.add(primitive);
      walk(primitive, `${path}/${childSegment(node, primitive)}`, [...ancestors, node]);
    }
  };
  walk(workflow, escapeSegment(workflow.name), []);
  return paths;
}

const maxDefinitionDepth = 200;

/**
 * Names may hold any character; the ones that structure a path (`/`, `~`, `#`, `%`) are
 * percent-encoded so a path always splits back into the segments it was made of.
 */
export function escapeSegment(name: string): string {
  return /[/~#%]/.test(name) ? name.replace(/[/~#%]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`) : name;
}
