/** Listener failures must not break the sender; surface them on a fresh task without throwing here. */
export function reportError(error: unknown): void {
  queueMicrotask(() => {
    if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
    else console.error('tta: a listener threw', error);
  });
}
