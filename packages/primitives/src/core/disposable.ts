import { redact, redactText } from '../logging/redact.js';

// Consumers compiling with `lib: ["ES2022"]` (with or without the DOM) have no `Symbol.dispose`, nor
// `AbortSignal` without the DOM or @types/node; these declarations match TypeScript's and Node's, so
// they merge with them where those exist and let the published types compile where they do not.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
    readonly asyncDispose: unique symbol;
  }
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges with the host's AbortSignal
  interface AbortSignal {}
}

/** Something that can be released; also usable with `using`. */
export interface Disposable {
  dispose(): void;
  [Symbol.dispose](): void;
}

/** Makes a {@link Disposable} from a release function; releasing twice is harmless. */
export function toDisposable(release: () => void): Disposable {
  let released = false;
  const dispose = (): void => {
    if (released) return;
    released = true;
    release();
  };
  return { dispose, [Symbol.dispose]: dispose };
}

/** Subscribes `listener` to an event; the returned disposer unsubscribes it. */
export type Event<T> = (listener: (event: T) => void) => Disposable;

/**
 * Owns the listeners of one event. `event` is the public subscribe function; `emit` calls every
 * listener, and a listener that throws does not stop the others or the primitive.
 */
export class EventEmitter<T> {
  private listeners: Array<(event: T) => void> = [];

  /** True when at least one listener is subscribed. */
  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  readonly event: Event<T> = (listener) => {
    this.listeners = [...this.listeners, listener];
    return toDisposable(() => {
      this.listeners = this.listeners.filter((candidate) => candidate !== listener);
    });
  };

  emit(value: T): void {
    const listeners = this.listeners;
    for (let index = 0; index < listeners.length; index++) {
      try {
        listeners[index]!(value);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }
}

/**
 * Listener failures must not break a workflow; surface them without throwing. The host's
 * `reportError` gets the error itself; without one (Node) it is printed with its credentials hidden
 * (a store's connection error may quote a URL with its password).
 */
export function reportListenerError(error: unknown): void {
  queueMicrotask(() => {
    // Rethrowing on a fresh task makes the failure visible (unhandled error) without
    // affecting the primitive that emitted the event.
    if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
    else console.error('tta: an event listener or instrumentation hook threw', printable(error));
  });
}

/** `error` as printed: an error keeps its class, with its message and stack redacted; anything else is redacted. */
function printable(error: unknown): unknown {
  try {
    if (!(error instanceof Error)) return redact(error);
    const copy = new Error(redactText(String(error.message)));
    Object.setPrototypeOf(copy, Object.getPrototypeOf(error) as object | null);
    if (Object.hasOwn(error, 'name')) copy.name = String(error.name);
    copy.stack = typeof error.stack === 'string' ? redactText(error.stack) : `${String(error.name)}: ${copy.message}`;
    return copy;
  } catch {
    // A revoked proxy, a throwing getter or toString: say so rather than throw from a microtask.
    return 'a value that could not be read';
  }
}
