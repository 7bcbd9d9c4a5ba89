import { subscribeToAbort, type AbortParent } from './abort.js';

// Ends the subscriptions of owners that were dropped without being closed (an iterator nobody
// finished), so a long-lived caller signal does not keep one listener, and the owner, per drop.
const collected: FinalizationRegistry<() => void> | undefined =
  typeof FinalizationRegistry === 'function' && typeof WeakRef === 'function' ? new FinalizationRegistry((cleanup) => cleanup()) : undefined;

const noop = (): void => {};

/**
 * @internal Calls `onAbort(owner, reason)` once when `parent` aborts, for as long as `owner` is
 * reachable: the subscription holds `owner` only weakly. When `owner` is garbage collected first,
 * the subscription is removed and `onCollected` runs (to release what the owner held, such as a
 * timer). Returns the function that ends the subscription early (it does not run `onCollected`).
 *
 * `onAbort` and `onCollected` must not capture `owner`, or it is never collected: define them
 * outside the owner's methods.
 */
export function subscribeToAbortWhileReachable<TOwner extends object>(
  parent: AbortParent,
  owner: TOwner,
  onAbort: (owner: TOwner, reason: unknown) => void,
  onCollected: () => void = noop,
): () => void {
  // No weak references in this host: a plain subscription, ended by the owner when it closes.
  if (collected === undefined) return subscribeStrongly(parent, owner, onAbort);
  // The closures below live as long as the parent: none of them may see `owner` itself (closures
  // of one call share their captured variables, hence the strong form in a function of its own).
  const reference = new WeakRef(owner);
  const unsubscribe = subscribeToAbort(parent, (reason) => {
    const target = reference.deref();
    if (target !== undefined) onAbort(target, reason);
  });
  const token = {};
  collected.register(
    owner,
    () => {
      unsubscribe();
      onCollected();
    },
    token,
  );
  return () => {
    collected.unregister(token);
    unsubscribe();
  };
}

function subscribeStrongly<TOwner extends object>(parent: AbortParent, owner: TOwner, onAbort: (owner: TOwner, reason: unknown) => void): () => void {
  return subscribeToAbort(parent, (reason) => onAbort(owner, reason));
}
