/** True when `value` is an object that carries the brand `marker` (see `TtaError.isInstance`). */
export function hasBrand(value: unknown, marker: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
}
