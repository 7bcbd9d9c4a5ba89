/** How {@link settleWithin} ended: settled (with the rejection, if any), or still pending at the limit. */
export type SettleOutcome = { readonly settled: true; readonly error?: unknown } | { readonly settled: false };

/**
 * Waits for `work` at most `limitMs`. Never rejects, and leaves no timer behind: a shutdown must
 * be able to return on time even when the work it waits for never ends (a collector that accepts
 * connections and never answers).
 */
export async function settleWithin(work: Promise<unknown>, limitMs: number): Promise<SettleOutcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<SettleOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ settled: false }), limitMs);
  });
  try {
    return await Promise.race([work.then(
      (): SettleOutcome => ({ settled: true }),
      (error: unknown): SettleOutcome => ({ settled: true, error }),
    ), limit]);
  } finally {
    clearTimeout(timer);
  }
}
