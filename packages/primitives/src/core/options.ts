import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { describeValue, isRevokedProxy } from './describe-value.js';

// One validator for every constructor, modelled on p-retry's validateNumberOption: each rule is
// stated once, in words, so every option of the same kind fails with the same sentence.

/** Whether an option may be left out: `undefined` then passes, and the message says "when given". */
export interface OptionalRule {
  /** `undefined` is accepted (the option has a default). @default false */
  readonly optional?: boolean;
}

/** Bounds of an integer option. */
export interface IntegerRule extends OptionalRule {
  /** Smallest accepted value. @default 0 */
  readonly min?: number;
  /** Largest accepted value. @default unbounded */
  readonly max?: number;
  /** `Infinity` is accepted (it means "no limit"). @default false */
  readonly infinity?: boolean;
}

/** Bounds of a (finite) number option. */
export interface NumberRule extends OptionalRule {
  /** Lower bound. @default 0 */
  readonly min?: number;
  /** The lower bound itself is refused (`> min` rather than `>= min`). @default false */
  readonly exclusiveMin?: boolean;
  /** Upper bound, inclusive. @default unbounded (any finite number) */
  readonly max?: number;
}

/** What a function option is called with, for the message. */
export interface FunctionRule extends OptionalRule {
  /** The expected signature, e.g. `'(input, context) => string'`. @default none */
  readonly signature?: string;
}

/** What an options argument must be. */
export interface OptionsObjectRule extends OptionalRule {
  /**
   * The keys it may have: any other key is refused, naming it and the accepted ones, so a typo
   * (`ttl` for `ttlMs`) fails at construction instead of being ignored.
   * @default any key
   */
  readonly known?: readonly string[];
}

/**
 * Throws `InvalidOptionsError` unless the options argument is an object (not `null`,
 * not an array), with only `rule.known` keys when given: the check every constructor begins with.
 *
 * @example
 * ```ts
 * requireOptionsObject('BatchPrimitive', options);
 * requireOptionsObject('RedisLease', options, { known: ['connection', 'resource', 'ttlMs'] });
 * ```
 */
export function requireOptionsObject(owner: string, value: unknown, rule: OptionsObjectRule = {}): asserts value is object {
  if (rule.optional === true && value === undefined) return;
  // A revoked proxy is an object that nothing can be read from, so it is refused as not being one
  // (`Array.isArray` would throw a TypeError on it).
  if (typeof value !== 'object' || value === null || isRevokedProxy(value) || Array.isArray(value)) {
    throw new InvalidOptionsError(owner, 'options', `must be an object${whenGiven(rule)} (got ${describeValue(value)})`);
  }
  const known = rule.known;
  if (known === undefined) return;
  let keys: string[];
  try {
    keys = Object.keys(value);
  } catch (error) {
    throw unreadable(owner, 'options', error);
  }
  for (const key of keys) {
    if (!known.includes(key)) throw new InvalidOptionsError(owner, key, `is not an option of ${owner} (it takes ${[...known].sort().join(', ')})`);
  }
}

/**
 * Throws `InvalidOptionsError` unless `value` is an integer within `rule`: "must be a
 * positive integer", "must be an integer >= 0 or Infinity", "must be an integer >= 1 and <= 100".
 *
 * @example
 * ```ts
 * requireInteger('BulkheadPrimitive', 'maxConcurrent', options.maxConcurrent, { min: 1 });
 * ```
 */
export function requireInteger(owner: string, option: string, value: unknown, rule: IntegerRule = {}): asserts value is number {
  if (rule.optional === true && value === undefined) return;
  const min = rule.min ?? 0;
  if (typeof value === 'number') {
    if (value === Infinity ? rule.infinity === true : Number.isInteger(value) && value >= min && (rule.max === undefined || value <= rule.max)) return;
  }
  throw new InvalidOptionsError(owner, option, `${integerRuleText(min, rule)}${whenGiven(rule)} (got ${describeValue(value)})`);
}

function integerRuleText(min: number, rule: IntegerRule): string {
  const bounds = min === 1 && rule.max === undefined ? 'a positive integer' : `an integer >= ${min}${rule.max === undefined ? '' : ` and <= ${rule.max}`}`;
  return `must be ${bounds}${rule.infinity === true ? ' or Infinity' : ''}`;
}

/**
 * Throws `InvalidOptionsError` unless `value` is a finite number within `rule`: "must be a
 * finite number > 0", "must be a number in (0, 1]". Durations use `assertDuration` instead.
 *
 * @example
 * <!-- snippet-prelude: declare const factor: unknown; -->
 * ```ts
 * requireNumber('RetryPrimitive', 'factor', factor, { min: 1 });
 * ```
 */
export function requireNumber(owner: string, option: string, value: unknown, rule: NumberRule = {}): asserts value is number {
  if (rule.optional === true && value === undefined) return;
  const min = rule.min ?? 0;
  if (typeof value === 'number' && Number.isFinite(value) && (rule.exclusiveMin === true ? value > min : value >= min) && (rule.max === undefined || value <= rule.max)) return;
  const text = rule.max === undefined
    ? `must be a finite number ${rule.exclusiveMin === true ? '>' : '>='} ${min}`
    : `must be a number in ${rule.exclusiveMin === true ? '(' : '['}${min}, ${rule.max}]`;
  throw new InvalidOptionsError(owner, option, `${text}${whenGiven(rule)} (got ${describeValue(value)})`);
}

/**
 * Throws `InvalidOptionsError` unless `value` is a non-empty string.
 *
 * @example
 * ```ts
 * requireNonEmptyString('CircuitBreakerPrimitive', 'key', options.key, { optional: true });
 * ```
 */
export function requireNonEmptyString(owner: string, option: string, value: unknown, rule: OptionalRule = {}): asserts value is string {
  if (rule.optional === true && value === undefined) return;
  if (typeof value === 'string' && value.length > 0) return;
  throw new InvalidOptionsError(owner, option, `must be a non-empty string${whenGiven(rule)} (got ${describeValue(value)})`);
}

/**
 * Throws `InvalidOptionsError` unless `value` is a boolean.
 *
 * @example
 * ```ts
 * requireBoolean('WorkflowPrimitive', 'instrument', options.instrument, { optional: true });
 * ```
 */
export function requireBoolean(owner: string, option: string, value: unknown, rule: OptionalRule = {}): asserts value is boolean {
  if (rule.optional === true && value === undefined) return;
  if (typeof value === 'boolean') return;
  throw new InvalidOptionsError(owner, option, `must be a boolean${whenGiven(rule)} (got ${describeValue(value)})`);
}

/**
 * Throws `InvalidOptionsError` unless `value` is one of `choices`: "must be 'wait' or
 * 'reject' (got ...)".
 *
 * @example
 * <!-- snippet-prelude: declare const onReject: unknown; -->
 * ```ts
 * requireOneOf('FilterPrimitive', 'onReject', onReject, ['skip', 'throw']);
 * ```
 */
export function requireOneOf<const TChoice>(owner: string, option: string, value: unknown, choices: readonly TChoice[]): asserts value is TChoice {
  if (choices.includes(value as TChoice)) return;
  throw new InvalidOptionsError(owner, option, `must be ${listChoices(choices.map((choice) => `'${String(choice)}'`))} (got ${describeValue(value)})`);
}

/**
 * Throws `InvalidOptionsError` unless `value` is a function; the message shows the
 * expected signature when `rule.signature` is given.
 *
 * @example
 * ```ts
 * requireFunction('CachePrimitive', 'key', options.key, { optional: true, signature: '(input, context) => string' });
 * ```
 */
export function requireFunction(owner: string, option: string, value: unknown, rule: FunctionRule = {}): void {
  if (rule.optional === true && value === undefined) return;
  if (typeof value === 'function') return;
  throw new InvalidOptionsError(owner, option, `must be a function${rule.signature === undefined ? '' : ` ${rule.signature}`}${whenGiven(rule)} (got ${describeValue(value)})`);
}

/** What an object option must implement: its methods, and how the message names it. */
export interface MethodsRule extends OptionalRule {
  /** The methods it must have. */
  readonly methods: readonly string[];
  /** How the message names it, e.g. `'a CacheStore (async get, set and delete)'`. */
  readonly description: string;
}

/**
 * Throws `InvalidOptionsError` unless `value` is an object with every method in
 * `rule.methods`: the check for a plug-in such as a store or a limiter.
 *
 * @example
 * ```ts
 * requireMethods('CachePrimitive', 'store', options.store, { optional: true, methods: ['get', 'set', 'delete'], description: 'a CacheStore (async get, set and delete)' });
 * ```
 */
export function requireMethods(owner: string, option: string, value: unknown, rule: MethodsRule): void {
  if (rule.optional === true && value === undefined) return;
  if ((typeof value === 'object' || typeof value === 'function') && value !== null && !isRevokedProxy(value)) {
    let complete: boolean;
    try {
      complete = rule.methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function');
    } catch (error) {
      // A getter or proxy trap that throws: a typed refusal that keeps the thrower's error.
      throw unreadable(owner, option, error);
    }
    if (complete) return;
  }
  throw new InvalidOptionsError(owner, option, `must be ${rule.description}${whenGiven(rule)} (got ${describeValue(value)})`);
}

function unreadable(owner: string, option: string, error: unknown): InvalidOptionsError {
  return new InvalidOptionsError(owner, option, `cannot be read (${describeValue(error)})`, { cause: error });
}

/** "a, b or c": how a rule lists its alternatives. */
function listChoices(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? 'nothing') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`;
}

// An option without a default says so; one whose default was applied first is simply required.
function whenGiven(rule: OptionalRule): string {
  return rule.optional === true ? ' when given' : '';
}
