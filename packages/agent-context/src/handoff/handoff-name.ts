import type { PrimitiveOptions } from '@tta/primitives';
import { wrapperName } from '@tta/primitives/instrumentation';

/**
 * @internal `options` with `name` defaulted to `agent-handoff(<target agent's id>)`, the rule every
 * wrapper follows ({@link wrapperName}): two handoffs to different agents are then two metrics entries
 * and two span names instead of one `agent-handoff`. Options that are not an object, that name the
 * primitive, or whose target has no usable id are returned as they are: the constructor's own checks
 * refuse those with an error that names the option.
 */
export function namedAfterTarget(options: PrimitiveOptions & { readonly to?: unknown }): PrimitiveOptions {
  if (typeof options !== 'object' || options === null || options.name !== undefined) return options;
  const to: unknown = options.to;
  const agent: unknown = typeof to === 'object' && to !== null ? (to as { readonly agent?: unknown }).agent : undefined;
  const id: unknown = typeof agent === 'object' && agent !== null ? (agent as { readonly id?: unknown }).id : undefined;
  if (typeof id !== 'string' || id.length === 0) return options;
  // Read, not spread: a spread copies own keys only, and would drop an inherited `instrument`.
  const instrument = options.instrument;
  const name = wrapperName('agent-handoff', id);
  return instrument === undefined ? { name } : { name, instrument };
}
