import { createHash } from 'node:crypto';
import type { AnyPrimitive } from '@tta/primitives';

/**
 * A digest of the workflow's shape (each node's kind, name and label, in definition order).
 * Interim: replaced by the core's `fingerprint(workflow)` once that is exported, so that a run's
 * recorded fingerprint equals what `fingerprint` reports.
 */
export function definitionFingerprint(workflow: AnyPrimitive): string {
  const parts: string[] = [];
  const walk = (node: AnyPrimitive, label: string | undefined, depth: number): void => {
    parts.push(JSON.stringify([depth, node.kind, node.name, label ?? null]));
    if (depth > 200) return;
    for (const child of node._children()) walk(child.primitive, child.label, depth + 1);
  };
  walk(workflow, undefined, 0);
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

/** Every `waitFor` of the workflow, found by walking its definition. */
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
