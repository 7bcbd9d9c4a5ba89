/**
 * @internal The abort reason of a run that reached an unanswered `waitFor`: the run's other work
 * stops, and the engine records the run `suspended` instead of `failed`.
 */
export class RunSuspended extends Error {
  constructor(
    readonly waitName: string,
    readonly path: string,
    readonly payload: unknown,
    readonly expiresAt: number | undefined,
  ) {
    super(`The run is suspended, waiting for "${waitName}"`);
    this.name = 'RunSuspended';
    // Tells the core this abort pauses the run (a saga keeps its completed steps); see `run-paused`.
    (this as unknown as Record<symbol, boolean>)[Symbol.for('@tta/primitives.run-paused')] = true;
  }
}
