import { WorkflowPrimitive, InvalidOptionsError } from '@tta/primitives';
import type { DevtoolsWorkflow, DurableWorkflowLike } from './devtools-options.js';

/** A workflow's graph as the page draws it: the shape of `describe()`. */
export interface GraphNode {
  readonly kind: string;
  readonly name: string;
  /** The step path executions of this node carry (without their `#n` repeat suffix). */
  readonly path?: string;
  readonly label?: string;
  readonly options?: unknown;
  readonly children?: readonly GraphNode[];
}

/** One entry of the page's workflow list. */
export interface CatalogueEntry {
  readonly name: string;
  readonly durable: boolean;
  readonly graph: GraphNode | undefined;
  /** The primitive names whose start begins a run of this workflow. */
  readonly rootNames: readonly string[];
  readonly durableWorkflow: DurableWorkflowLike | undefined;
}

const maxDepth = 64;

/**
 * Reads the `workflows` option: each value must be a primitive or a durable workflow (by shape:
 * `list`, `inspect` and `resume`); anything else is refused with `InvalidOptionsError` naming it.
 */
export function buildCatalogue(workflows: Readonly<Record<string, DevtoolsWorkflow>>): CatalogueEntry[] {
  if (typeof workflows !== 'object' || workflows === null || Array.isArray(workflows)) {
    throw new InvalidOptionsError('startDevtools', 'workflows', 'must be an object mapping names to primitives or durable workflows');
  }
  const entries: CatalogueEntry[] = [];
  for (const [name, workflow] of Object.entries(workflows)) {
    if (workflow instanceof WorkflowPrimitive || isPrimitiveShaped(workflow)) {
      const primitive = workflow as WorkflowPrimitive<unknown, unknown>;
      entries.push({ name, durable: false, graph: withPaths(describeGraph(primitive)), rootNames: [primitive.name], durableWorkflow: undefined });
    } else if (isDurable(workflow)) {
      const inner = (workflow as { readonly workflow?: unknown }).workflow;
      const described = readDescription(workflow) ?? (isPrimitiveShaped(inner) ? describeGraph(inner) : undefined);
      const graph = described === undefined ? undefined : withPaths(described);
      const rootNames = [graph?.name, (workflow as { readonly name?: unknown }).name].filter((value): value is string => typeof value === 'string');
      entries.push({ name, durable: true, graph, rootNames, durableWorkflow: workflow });
    } else {
      throw new InvalidOptionsError('startDevtools', `workflows.${name}`, 'must be a WorkflowPrimitive or a durable workflow (with list, inspect and resume)');
    }
  }
  return entries;
}

function isPrimitiveShaped(value: unknown): value is WorkflowPrimitive<unknown, unknown> {
  // Another installed copy of @tta/primitives makes primitives this copy's `instanceof` misses.
  return typeof value === 'object' && value !== null && typeof (value as { execute?: unknown }).execute === 'function' && typeof (value as { kind?: unknown }).kind === 'string';
}

function isDurable(value: unknown): value is DurableWorkflowLike {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record['list'] === 'function' && typeof record['inspect'] === 'function' && typeof record['resume'] === 'function';
}

function readDescription(value: object): GraphNode | undefined {
  const describe = (value as { describe?: unknown }).describe;
  if (typeof describe !== 'function') return undefined;
  const description: unknown = describe.call(value);
  return isGraphNode(description) ? description : undefined;
}

function isGraphNode(value: unknown): value is GraphNode {
  return typeof value === 'object' && value !== null && typeof (value as GraphNode).kind === 'string' && typeof (value as GraphNode).name === 'string';
}

/**
 * The primitive's `describe()` when the core has it; otherwise a tree read from `_children()` (or a
 * sequence's `steps`), so the page draws the same shape on an older core.
 */
export function describeGraph(primitive: WorkflowPrimitive<unknown, unknown>, depth = 0): GraphNode {
  const described = readDescription(primitive);
  if (described !== undefined) return described;
  const node: GraphNode = { kind: primitive.kind, name: primitive.name };
  if (depth >= maxDepth) return node;
  const children = childrenOf(primitive);
  if (children.length === 0) return node;
  return {
    ...node,
    children: children.map(({ label, primitive: child }) => {
      const childNode = describeGraph(child, depth + 1);
      return label === undefined ? childNode : { ...childNode, label };
    }),
  };
}

function childrenOf(primitive: WorkflowPrimitive<unknown, unknown>): readonly { readonly label: string | undefined; readonly primitive: WorkflowPrimitive<unknown, unknown> }[] {
  const listed = (primitive as { _children?: unknown })._children;
  if (typeof listed === 'function') return listed.call(primitive) as readonly { label: string | undefined; primitive: WorkflowPrimitive<unknown, unknown> }[];
  const steps = (primitive as { steps?: unknown }).steps;
  if (Array.isArray(steps)) return steps.filter(isPrimitiveShaped).map((step) => ({ label: undefined, primitive: step }));
  return [];
}

/** Every step name in a graph, to tell apart two workflows whose roots share a name. */
export function graphNames(graph: GraphNode | undefined): ReadonlySet<string> {
  const names = new Set<string>();
  const visit = (node: GraphNode): void => {
    names.add(node.name);
    for (const child of node.children ?? []) visit(child);
  };
  if (graph !== undefined) visit(graph);
  return names;
}

/**
 * Gives every node the step path its executions report, by the rules of the core's step paths:
 * a child is named by its own name when it has one (a name other than its kind), else by its
 * label; siblings sharing a segment get `~2`, `~3`; `/`, `~`, `#` and `%` are percent-encoded.
 */
export function withPaths(node: GraphNode, parentPath?: string, segment?: string): GraphNode {
  const path = parentPath === undefined ? escapeSegment(node.name) : `${parentPath}/${segment ?? escapeSegment(node.name)}`;
  const children = node.children;
  if (children === undefined || children.length === 0) return { ...node, path };
  const seen = new Map<string, number>();
  return {
    ...node,
    path,
    children: children.map((child) => {
      const own = child.name !== child.kind || child.label === undefined || child.label === '' ? child.name : child.label;
      const base = escapeSegment(own);
      const position = (seen.get(base) ?? 0) + 1;
      seen.set(base, position);
      return withPaths(child, path, position === 1 ? base : `${base}~${position}`);
    }),
  };
}

function escapeSegment(name: string): string {
  return name.replace(/[/~#%]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}
