import { TtaError } from '@tta/primitives';

export { TtaError };

/** True when `value` is an object that carries the brand `marker` (works across duplicate installs). */
export function hasMarkerOf(value: unknown, marker: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
}
