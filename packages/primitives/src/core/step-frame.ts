import type { AnyPrimitive } from './workflow-primitive.js';

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
 * the executions it starts. Occurrences are counted per parent execution, not per run, so the
 * branches of a `parallel` or the items of a `batch` never race for a number: each subtree counts
 * its own children, and the same definition gives the same paths in every process.
 */
export class StepFrame {
  private pathValue: string | undefined;
  /** Executions started under this one so far, by segment; made on the first child. */
  private counts: Map<string, number> | undefined = undefined;

  private constructor(
    readonly parent: StepFrame | undefined,
    readonly primitive: AnyPrimitive,
    /** This execution's own part of the path: segment, `~n` sibling suffix and `#n` occurrence. */
    readonly segment: string,
  ) {
    this.pathValue = parent === undefined ? segment : undefined;
  }

  /** The step path: every segment from the root joined with `/` (built once, on first read). */
  get path(): string {
    return (this.pathValue ??= `${this.parent!.path}/${this.segment}`);
  }

  /** The frame of `primitive` executing under `parent` (the root when `parent` is undefined). */
  static enter(parent: StepFrame | undefined, primitive: AnyPrimitive): StepFrame {
    if (parent === undefined) return new StepFrame(undefined, primitive, escapeSegment(primitive.name));
    const base = childSegment(parent.primitive, primitive);
    const counts = (parent.counts ??= new Map());
    const occurrence = (counts.get(base) ?? 0) + 1;
    counts.set(base, occurrence);
    return new StepFrame(parent, primitive, occurrence === 1 ? base : `${base}#${occurrence}`);
  }
}

/** Segments of each parent's children, computed once per parent (definitions do not change). */
const segmentsByParent = new WeakMap<AnyPrimitive, Map<AnyPrimitive, string>>();

/**
 * The segment `child` has under `parent`: its name when it has one of its own (a name other than
 * its kind, given or derived like `retry(fetch)`), else the label its parent gives it (a parallel
 * key, a route, `then`), else its kind; siblings sharing a segment get `~2`, `~3` in definition
 * order. A child the parent does not list (a custom primitive calling another directly) is named
 * by its own name.
 */
function childSegment(parent: AnyPrimitive, child: AnyPrimitive): string {
  let segments = segmentsByParent.get(parent);
  if (segments === undefined) {
    segments = siblingSegments(parent);
    segmentsByParent.set(parent, segments);
  }
  return segments.get(child) ?? escapeSegment(child.name);
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
