// Building blocks of the fault matrix: steps that fail in a chosen way and record what they saw
// (calls, the signal of each call), and a cell runner that checks nothing is left behind.
import { getEventListeners } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkflowContext, step, type WorkflowPrimitive } from '@tta/primitives';
import { sleep } from '@tta/primitives/instrumentation';
import { ManualClock } from '@tta/primitives/testing';
import { activeResources, newResources } from '../leak-probe.js';
import { tally } from '../figures.js';

/** How a probe step behaves on a call. */
export type Behaviour =
  | { readonly kind: 'ok'; readonly value?: unknown }
  | { readonly kind: 'throw'; readonly error: unknown }
  | { readonly kind: 'reject'; readonly error: unknown }
  /** Never settles and ignores its signal (a stuck socket). */
  | { readonly kind: 'hang' }
  /** Never settles on its own, rejects with the signal's reason when aborted. */
  | { readonly kind: 'hang-cooperative' }
  /** Waits `ms` on the context clock (abort-aware), then returns `value`. */
  | { readonly kind: 'slow'; readonly ms: number; readonly value?: unknown };

/** A step that behaves as told (per call, the last behaviour repeating) and records each call's signal. */
export interface Probe<TInput = unknown, TOutput = unknown> {
  readonly primitive: WorkflowPrimitive<TInput, TOutput>;
  readonly calls: number;
  /** The signal each call saw, in call order. */
  readonly signals: readonly AbortSignal[];
  readonly inputs: readonly unknown[];
}

/** Makes a probe step: `behaviours[n]` applies to call n + 1, the last one to every later call. */
export function probe<TInput = unknown, TOutput = unknown>(name: string, ...behaviours: Behaviour[]): Probe<TInput, TOutput> {
  const signals: AbortSignal[] = [];
  const inputs: unknown[] = [];
  const primitive = step(name, (input: TInput, context: WorkflowContext): TOutput | Promise<TOutput> => {
    signals.push(context.signal);
    inputs.push(input);
    const behaviour = behaviours[Math.min(signals.length, behaviours.length) - 1] ?? { kind: 'ok' };
    switch (behaviour.kind) {
      case 'ok':
        return (behaviour.value ?? input) as TOutput;
      case 'throw':
        throw behaviour.error;
      case 'reject':
        return Promise.reject(behaviour.error);
      case 'hang':
        return new Promise<TOutput>(() => {});
      case 'hang-cooperative': {
        const signal = context.signal;
        return new Promise<TOutput>((_, reject) => {
          if (signal.aborted) reject(signal.reason);
          else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
      }
      case 'slow':
        return sleep(behaviour.ms, context.signal, context.clock).then(() => (behaviour.value ?? input) as TOutput);
    }
  });
  return {
    primitive,
    get calls() {
      return signals.length;
    },
    signals,
    inputs,
  };
}

/** What a cell gets: a manual clock, a caller's controller, and a context wired to both. */
export interface CellKit {
  readonly clock: ManualClock;
  readonly controller: AbortController;
  readonly context: WorkflowContext;
  /** A fresh context on the same clock and signal (for calls after the first). */
  newContext(options?: { readonly timeoutMs?: number }): WorkflowContext;
  /** Settles `promise` into a plain outcome, so that a rejection is never left unhandled. */
  settle<T>(promise: Promise<T>): Promise<Settled<T>>;
  /** Moves the clock (letting continuations run). */
  tick(ms: number): Promise<void>;
}

/** A promise's outcome. */
export type Settled<T> = { readonly status: 'fulfilled'; readonly value: T } | { readonly status: 'rejected'; readonly reason: unknown };

/** A row of the fault matrix. */
export interface FaultCell {
  readonly primitive: string;
  readonly fault: string;
  readonly expected: string;
  readonly run: (kit: CellKit) => Promise<void>;
  /**
   * Set (to the id of a reported finding) only where the library is known to leave listeners on the
   * caller's signal: every other check of the cell still applies.
   */
  readonly knownListenerLeak?: string;
}

/** Reads the rejection reason of a settled outcome, failing when it fulfilled. */
export function rejection<T>(outcome: Settled<T>): unknown {
  if (outcome.status === 'fulfilled') throw new Error(`expected a rejection, got the value ${JSON.stringify(outcome.value)}`);
  return outcome.reason;
}

/** Reads the value of a settled outcome, failing when it rejected. */
export function fulfilment<T>(outcome: Settled<T>): T {
  if (outcome.status === 'rejected') throw new Error('expected a value, got a rejection', { cause: outcome.reason });
  return outcome.value;
}

/** Lets pending promise continuations run (no time passes on the manual clock). */
export async function flush(): Promise<void> {
  for (let round = 0; round < 5; round++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs one cell: a fresh clock and controller; afterwards no clock timer is pending, no new Node
 * resource (timer, socket) is active, and the caller's signal has no listener left.
 */
export async function runCell(cell: FaultCell): Promise<void> {
  const baseline = activeResources();
  const clock = new ManualClock(1_000_000);
  const controller = new AbortController();
  const newContext = (options: { readonly timeoutMs?: number } = {}): WorkflowContext =>
    new WorkflowContext({ clock, signal: controller.signal, correlationId: `fault-${cell.primitive}-${cell.fault}`, ...options });
  const kit: CellKit = {
    clock,
    controller,
    context: newContext(),
    newContext,
    settle: <T>(promise: Promise<T>): Promise<Settled<T>> =>
      promise.then(
        (value): Settled<T> => ({ status: 'fulfilled', value }),
        (reason: unknown): Settled<T> => ({ status: 'rejected', reason }),
      ),
    tick: (ms: number) => clock.tickAsync(ms),
  };
  await cell.run(kit);
  await flush();
  expect(clock.pendingTimers, 'clock timers left pending').toBe(0);
  expect(newResources(baseline), 'Node resources left active').toEqual({});
  if (cell.knownListenerLeak === undefined) expect(getEventListeners(controller.signal, 'abort').length, "listeners left on the caller's signal").toBe(0);
}

/**
 * Declares one test per cell of `matrix` (grouped by primitive) and adds the number of cells that
 * passed to the `faultsTried` figure.
 */
export function describeFaultMatrix(title: string, matrix: Readonly<Record<string, readonly FaultCell[]>>): void {
  describe(title, () => {
    let passed = 0;
    afterAll(() => tally('faultsTried', passed));
    for (const [primitive, cells] of Object.entries(matrix)) {
      describe(primitive, () => {
        for (const cell of cells) {
          it(`${cell.fault} -> ${cell.expected}`, async () => {
            await runCell(cell);
            passed++;
          });
        }
      });
    }
  });
}
