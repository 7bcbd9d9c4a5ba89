import type { AnyPrimitive } from '@tta/primitives';

/** The nodes of a workflow's definition that pass `test`, each once, in definition order. */
export function findNodes<TNode extends AnyPrimitive>(workflow: AnyPrimitive, test: (node: AnyPrimitive) => node is TNode): TNode[] {
  const found: TNode[] = [];
  const seen = new Set<AnyPrimitive>();
  const walk = (node: AnyPrimitive): void => {
    if (seen.has(node)) return;
    seen.add(node);
    if (test(node)) found.push(node);
    for (const child of node._children()) walk(child.primitive);
  };
  walk(workflow);
  return found;
}
