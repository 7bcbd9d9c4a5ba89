import { describeValue } from './describe-value.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';

/**
 * The version of the interfaces that others implement (`CacheStore`, `CircuitStateStore`, and the
 * agent stores of `@tta/agent-context`) that this release supports. An implementation declares the
 * version it was written against, so a later version of an interface can change a method's
 * contract and still tell an old implementation apart, instead of calling it wrongly.
 */
export const supportedSpecificationVersion = 1;

/**
 * Throws `InvalidOptionsError` unless `store` declares `specificationVersion: 1`. The message
 * names the option, the supported version and what the store declared.
 *
 * @example
 * <!-- snippet-prelude: declare const options: { readonly store: CacheStore }; -->
 * ```ts
 * assertSpecificationVersion('CachePrimitive', 'store', options.store);
 * ```
 */
export function assertSpecificationVersion(owner: string, option: string, store: object): void {
  let declared: unknown;
  try {
    declared = (store as { readonly specificationVersion?: unknown }).specificationVersion;
  } catch (error) {
    throw new InvalidOptionsError(owner, `${option}.specificationVersion`, `cannot be read (${describeValue(error)})`, { cause: error });
  }
  if (declared === supportedSpecificationVersion) return;
  const found = declared === undefined ? 'the store declares none' : `got ${describeValue(declared)}`;
  throw new InvalidOptionsError(
    owner,
    `${option}.specificationVersion`,
    `must be ${supportedSpecificationVersion}, the store interface version this release supports (${found})`,
  );
}
