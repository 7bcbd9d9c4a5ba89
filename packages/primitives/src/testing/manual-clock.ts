import type { Clock, TimerHandle } from '../core/clock.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { describeValue } from '../core/describe-value.js';

interface ScheduledTimer {
  readonly id: number;
  readonly dueAt: number;
  readonly callback: () => void;
}

const flushMicrotasks = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/**
 * A clock that only moves when told to, so timed primitives can be tested without waiting.
 * Timers fire in due order; `advance` runs them synchronously, `tickAsync` also lets the promise
 * continuations they trigger run (and schedule further timers) before moving on.
 *
 * @example
 * <!-- snippet-prelude: declare const flaky: WorkflowPrimitive<string, string>; -->
 * ```ts
 * const clock = new ManualClock();
 * const run = retry(flaky, { clock, initialDelayMs: 100 }).execute(context, input);
 * await clock.tickAsync(100);
 * ```
 */
export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers: ScheduledTimer[] = [];
  private readonly live = new Set<number>();

  /** @param startMs the initial time (epoch ms). @default 0 */
  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  /**
   * Schedules `callback` `delayMs` from now, like `systemClock`: any finite delay waits that long,
   * `Infinity` never fires (the timer still counts as pending until cleared), NaN and negative
   * delays fire on the next advance.
   */
  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.live.add(id);
    // Kept out of the due list, so neither advance() nor runAllAsync() can ever reach it.
    if (delayMs === Infinity) return id;
    const delay = delayMs > 0 ? delayMs : 0;
    const timer = { id, dueAt: this.current + delay, callback };
    // Binary search for the first timer due later: keeps due order, and insertion order for ties.
    const timers = this.timers;
    let low = 0;
    let high = timers.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (timers[middle]!.dueAt <= timer.dueAt) low = middle + 1;
      else high = middle;
    }
    if (low === timers.length) timers.push(timer);
    else timers.splice(low, 0, timer);
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    // Cancelled timers are dropped lazily when they come due: clearing stays O(1) with many timers.
    this.live.delete(handle as number);
  }

  /** Number of timers waiting to fire. */
  get pendingTimers(): number {
    return this.live.size;
  }

  /**
   * Moves time forward by `ms`, firing due timers synchronously in order. `ms` must be a finite
   * number >= 0 (`InvalidInputError` otherwise): NaN used to fire every timer at once and leave the
   * clock at NaN, a negative step moved time back.
   */
  advance(ms: number): void {
    assertStep('advance', ms);
    const target = this.current + ms;
    for (let timer = this.takeDue(target); timer !== undefined; timer = this.takeDue(target)) {
      this.current = timer.dueAt;
      timer.callback();
    }
    this.current = target;
  }

  /** Moves time forward by `ms` (a finite number >= 0), letting promise continuations run after each timer. */
  async tickAsync(ms: number): Promise<void> {
    assertStep('tickAsync', ms);
    const target = this.current + ms;
    await flushMicrotasks();
    for (let timer = this.takeDue(target); timer !== undefined; timer = this.takeDue(target)) {
      this.current = timer.dueAt;
      timer.callback();
      await flushMicrotasks();
    }
    this.current = target;
    await flushMicrotasks();
  }

  /** Fires every pending timer (and those they schedule), up to `maxTimers` of them. */
  async runAllAsync(maxTimers = 10_000): Promise<void> {
    await flushMicrotasks();
    for (let fired = 0; this.timers.length > 0; fired++) {
      if (fired >= maxTimers) throw new Error(`ManualClock.runAllAsync: more than ${maxTimers} timers; is a timer rescheduling itself?`);
      const timer = this.timers.shift()!;
      if (!this.live.delete(timer.id)) continue;
      this.current = Math.max(this.current, timer.dueAt);
      timer.callback();
      await flushMicrotasks();
    }
  }

  private takeDue(target: number): ScheduledTimer | undefined {
    for (;;) {
      const first = this.timers[0];
      if (first === undefined || first.dueAt > target) return undefined;
      this.timers.shift();
      if (this.live.delete(first.id)) return first;
    }
  }
}

function assertStep(method: string, ms: unknown): void {
  if (typeof ms === 'number' && ms >= 0 && ms !== Infinity) return;
  throw new InvalidInputError('ManualClock', `${method}(ms) needs a finite number >= 0 (got ${describeValue(ms)})`);
}
