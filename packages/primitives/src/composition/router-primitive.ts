import { WorkflowPrimitive, type AnyPrimitive, type PrimitiveOptions } from '../core/workflow-primitive.js';
import type { WorkflowContext } from '../core/workflow-context.js';
import type { ParallelInput } from './parallel-primitive.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { requireFunction } from '../core/options.js';
import { requirePrimitive } from '../core/require-primitive.js';
import { RouteNotFoundError } from '../errors/route-not-found-error.js';
import { describeValue } from '../core/describe-value.js';
import { type PrimitiveChild } from '../core/primitive-child.js';
import type { PrimitiveOptionsSummary } from '../core/primitive-description.js';

/** Named routes of a router. */
export type Routes = { readonly [route: string]: AnyPrimitive };

/** Picks a route name from the input (and context); may be async. */
export type RouteSelector<TInput, TRoutes extends Routes> = (
  input: TInput,
  context: WorkflowContext,
) => (keyof TRoutes & string) | (string & {}) | PromiseLike<(keyof TRoutes & string) | (string & {})>;

/** Options of {@link RouterPrimitive}. */
export interface RouterOptions<TRoutes extends Routes> extends PrimitiveOptions {
  /** The routes by name. */
  readonly routes: TRoutes;
  /** Chooses the route for an input. */
  readonly selector: RouteSelector<ParallelInput<TRoutes>, TRoutes>;
  /**
   * Route used when the selector returns a name that is not in `routes`.
   * @default none: an unknown name rejects with `RouteNotFoundError`
   */
  readonly defaultRoute?: keyof TRoutes & string;
}

type RouteOutput<TRoutes extends Routes> = TRoutes[keyof TRoutes] extends WorkflowPrimitive<any, infer TOutput> ? TOutput : never;

/**
 * Sends each input to one of several routes chosen by a selector, for example a cheap model for
 * short questions and a strong one for hard questions.
 *
 * @example
 * ```ts
 * const answer = new RouterPrimitive({
 *   routes: { fast: smallModel, deep: largeModel },
 *   selector: (question: string) => (question.length > 200 ? 'deep' : 'fast'),
 *   defaultRoute: 'fast',
 * });
 * ```
 */
export class RouterPrimitive<const TRoutes extends Routes> extends WorkflowPrimitive<ParallelInput<TRoutes>, RouteOutput<TRoutes>> {
  readonly routes: TRoutes;
  readonly defaultRoute: (keyof TRoutes & string) | undefined;
  private readonly selector: RouteSelector<ParallelInput<TRoutes>, TRoutes>;

  constructor(options: RouterOptions<TRoutes>) {
    super('router', options);
    if (typeof options?.routes !== 'object' || options.routes === null || Object.keys(options.routes).length === 0) {
      throw new InvalidOptionsError('RouterPrimitive', 'routes', 'must be a non-empty record of primitives');
    }
    for (const [route, primitive] of Object.entries(options.routes)) {
      requirePrimitive('RouterPrimitive', `routes.${route}`, primitive);
    }
    requireFunction('RouterPrimitive', 'selector', options.selector, { signature: '(input, context) => route name' });
    if (options.defaultRoute !== undefined && (typeof options.defaultRoute !== 'string' || !Object.hasOwn(options.routes, options.defaultRoute))) {
      throw new InvalidOptionsError('RouterPrimitive', 'defaultRoute', `must name one of the routes (${Object.keys(options.routes).join(', ')})`);
    }
    this.routes = options.routes;
    this.selector = options.selector;
    this.defaultRoute = options.defaultRoute;
  }

  override _children(): readonly PrimitiveChild[] {
    return Object.entries(this.routes).map(([route, primitive]) => ({ label: route, primitive }));
  }

  override _describeOptions(): PrimitiveOptionsSummary {
    return { selector: this.selector, defaultRoute: this.defaultRoute };
  }

  protected async executeImpl(context: WorkflowContext, input: ParallelInput<TRoutes>): Promise<RouteOutput<TRoutes>> {
    const selected = await this.selector(input, context);
    context.throwIfAborted();
    const name = typeof selected === 'string' && Object.hasOwn(this.routes, selected) ? selected : this.defaultRoute;
    if (name === undefined) throw new RouteNotFoundError(typeof selected === 'string' ? selected : describeValue(selected), Object.keys(this.routes));
    return this.routes[name]!.execute(context, input) as Promise<RouteOutput<TRoutes>>;
  }
}

/** Factory for {@link RouterPrimitive}. */
export function router<const TRoutes extends Routes>(options: RouterOptions<TRoutes>): RouterPrimitive<TRoutes> {
  return new RouterPrimitive(options);
}
