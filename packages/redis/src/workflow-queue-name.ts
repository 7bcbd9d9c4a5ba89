import { createHash } from 'node:crypto';
import { InvalidOptionsError } from '@tta/primitives';
import { describeValue } from '@tta/primitives/instrumentation';
import { escapeTagPart } from './key-layout.js';

// Beyond this length the readable name gives way to a digest: a key name per job carries it twice.
const maxReadableLength = 200;

/**
 * The name of the queue that a `WorkerPool` with these workflows uses when it is given no
 * `queueName`, and that `createWorkflowQueue({ workflows })` and `createWorkflowQueueEvents({ workflows })`
 * find: `workflows-<names>`, the names sorted and joined with `,` (each with `%`, `{`, `}`, `:` and `,`
 * escaped as `%XX`, so two sets never meet), or `workflows-#<sha-256 digest>` when that would be longer
 * than 200 characters. Pools with different workflow sets never share a queue by accident; the order
 * in which they list their workflows does not matter.
 *
 * @param workflows The pool's workflows record (only its keys are read) or their names.
 * @throws InvalidOptionsError when `workflows` is not a record or an array of non-empty strings, or is empty.
 * @example
 * ```ts
 * workflowQueueName({ summarise, research }); // 'workflows-research,summarise'
 * workflowQueueName(['research', 'summarise']); // the same
 * ```
 */
export function workflowQueueName(workflows: Readonly<Record<string, unknown>> | readonly string[], kind = 'workflowQueueName'): string {
  if (typeof workflows !== 'object' || workflows === null) {
    throw new InvalidOptionsError(kind, 'workflows', `must be the workflows record or an array of their names (got ${describeValue(workflows)})`);
  }
  const names = Array.isArray(workflows) ? [...(workflows as readonly unknown[])] : Object.keys(workflows);
  if (names.length === 0) throw new InvalidOptionsError(kind, 'workflows', 'must name at least one workflow');
  for (const name of names) {
    if (typeof name !== 'string' || name.length === 0) throw new InvalidOptionsError(kind, 'workflows', `must hold non-empty names (got ${describeValue(name)})`);
  }
  const escaped = [...new Set(names as string[])].sort().map((name) => escapeTagPart(name).replace(/,/g, '%2C'));
  const readable = `workflows-${escaped.join(',')}`;
  if (readable.length <= maxReadableLength) return readable;
  return `workflows-#${createHash('sha256').update(escaped.join(',')).digest('hex')}`;
}
