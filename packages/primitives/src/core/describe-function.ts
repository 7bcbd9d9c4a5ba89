import type { AnyPrimitive } from './workflow-primitive.js';
import type { PrimitiveDescription } from './primitive-description.js';
import { requirePrimitive } from './require-primitive.js';

/**
 * The structure of a workflow as plain JSON: the function form of `primitive.describe()`, beside
 * {@link fingerprint} and {@link toMermaid}. A test file that also uses its runner's `describe`
 * can import this one under another name.
 *
 * @example
 * ```ts
 * import { describe as describeWorkflow, retry, step } from '@tta/primitives';
 * const description = describeWorkflow(retry(step('fetch', async (url: string) => url)));
 * description.kind; // 'retry'
 * ```
 */
export function describe(primitive: AnyPrimitive): PrimitiveDescription {
  requirePrimitive('describe', 'primitive', primitive);
  return primitive.describe();
}
