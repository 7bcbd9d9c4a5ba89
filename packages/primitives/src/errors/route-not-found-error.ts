import { redactText } from '../logging/redact.js';
import { TtaError, hasMarker, type TtaErrorOptions } from './tta-error.js';

const marker = Symbol.for('@tta/primitives.RouteNotFoundError');

/** Thrown by a router when the selector picks a route that does not exist and there is no default. */
export class RouteNotFoundError extends TtaError<'ROUTE_NOT_FOUND'> {
  private readonly [marker] = true;
  /** The same input picks the same missing route again. */
  override readonly retryable: boolean = false;
  /** The route the selector returned. */
  readonly route: string;
  /** The routes that exist. */
  readonly availableRoutes: readonly string[];

  constructor(route = 'unknown', availableRoutes: readonly string[] = [], options: TtaErrorOptions = {}) {
    // The route comes from user data (often the input itself): the message shows it redacted and cut short.
    super(`No route "${shown(route)}" (available: ${availableRoutes.join(', ') || 'none'}) and no defaultRoute`, 'ROUTE_NOT_FOUND', options);
    this.route = route;
    this.availableRoutes = availableRoutes;
  }

  /** True when `error` is a RouteNotFoundError, from any copy of the package. */
  static override isInstance(error: unknown): error is RouteNotFoundError {
    return hasMarker(error, marker);
  }
}

const shownRouteLength = 120;

function shown(route: string): string {
  const text = redactText(String(route));
  return text.length > shownRouteLength ? `${text.slice(0, shownRouteLength)}…` : text;
}
