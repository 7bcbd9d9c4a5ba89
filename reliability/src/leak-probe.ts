// Measures what a run leaves behind: heap after GC, active handles (timers, sockets) and
// unhandled rejections.

/** Forces a full collection; the suite runs with --expose-gc. */
export async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run the reliability suite with node --expose-gc (pnpm test:reliability does)');
  for (let round = 0; round < 3; round++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Heap used after a full collection, in bytes. */
export async function settledHeapBytes(): Promise<number> {
  await collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** Counts of active resources by type (Timeout, TCPSocketWrap, ...). */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

/** Resources present now that were not in `baseline` (more of a type counts as new). */
export function newResources(baseline: Record<string, number>): Record<string, number> {
  const added: Record<string, number> = {};
  for (const [name, count] of Object.entries(activeResources())) {
    const extra = count - (baseline[name] ?? 0);
    if (extra > 0) added[name] = extra;
  }
  return added;
}

/** Collects unhandled rejections while `work` runs. */
export async function trackUnhandledRejections<T>(work: () => Promise<T>): Promise<{ result: T; unhandled: unknown[] }> {
  const unhandled: unknown[] = [];
  const listener = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', listener);
  try {
    const result = await work();
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { result, unhandled };
  } finally {
    process.off('unhandledRejection', listener);
  }
}
