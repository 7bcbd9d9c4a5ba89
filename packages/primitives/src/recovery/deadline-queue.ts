import type { Clock, TimerHandle } from '../core/clock.js';

/**
 * @internal Something waiting for a deadline in a {@link DeadlineQueue}. The waiter is its own
 * list node (the queue owns the underscored fields), so adding and removing one allocates nothing.
 */
export interface DeadlineWaiter {
  _dueAt: number;
  _previous: DeadlineWaiter | undefined;
  _next: DeadlineWaiter | undefined;
  _list: DurationList | undefined;
  /** Called once when the deadline passes (unless removed before). */
  onDeadline(): void;
}

/** @internal Waiters that were added with the same duration, hence in deadline order. */
export class DurationList {
  head: DeadlineWaiter | undefined = undefined;
  tail: DeadlineWaiter | undefined = undefined;
  constructor(readonly durationMs: number) {}
}

/**
 * @internal Shared timers for timeouts: one host timer per clock, however many calls are pending.
 *
 * Why: a `setTimeout` + `clearTimeout` pair per call costs about ten times a trivial async step,
 * and almost every timeout is cleared long before it fires. Here a call costs one clock read and
 * a few pointer writes.
 *
 * How: waiters are kept in one doubly linked list per duration (as Node's own timer lists do;
 * empty lists are kept for reuse, up to 64 of them).
 * Since the clock only moves forward, appending to the list of a duration keeps it sorted by
 * deadline, so adding and removing are O(1) and the earliest deadline is the smallest list head.
 * ONE host timer is armed for the earliest deadline. Adding a later deadline leaves it alone;
 * removing a waiter never re-arms it (if it fires early, it just re-arms for the next deadline).
 *
 * Idle: when the last waiter leaves, a host timer that can be unreferenced (Node's `Timeout`) is
 * unreferenced and kept, rather than cleared: it no longer keeps the process alive nor shows in
 * `process.getActiveResourcesInfo()`, fires at most once more (finding nothing due, it is not
 * re-armed), and the next call just references it again. This is what makes back-to-back calls
 * cheap: otherwise every call of a sequential workload would pay a full set/clear pair. A timer
 * without `unref` (any custom clock, such as `ManualClock`) is cleared at once instead.
 */
export class DeadlineQueue {
  private readonly lists = new Map<number, DurationList>();
  /** The list `add` used last; always one of `lists` (pruning forgets it). */
  private lastList: DurationList | undefined = undefined;
  private size = 0;
  private timer: TimerHandle | undefined = undefined;
  private timerDueAt = Infinity;
  /** True while the host timer is kept unreferenced with no waiter pending. */
  private idle = false;
  private readonly fire = (): void => this.onTimer();

  constructor(private readonly clock: Clock) {}

  /** Number of waiters pending (for tests). */
  get pending(): number {
    return this.size;
  }

  /** Adds `waiter` with a deadline `durationMs` from now. */
  add(waiter: DeadlineWaiter, durationMs: number): void {
    // Most callers use one fixed duration: the last list used saves the map lookup.
    let list = this.lastList;
    if (list === undefined || list.durationMs !== durationMs) {
      list = this.lists.get(durationMs);
      if (list === undefined) {
        if (this.lists.size >= maxRetainedLists) this.pruneEmptyLists();
        list = new DurationList(durationMs);
        this.lists.set(durationMs, list);
      }
      this.lastList = list;
    }
    const dueAt = this.clock.now() + durationMs;
    waiter._dueAt = dueAt;
    waiter._list = list;
    waiter._next = undefined;
    waiter._previous = list.tail;
    if (list.tail === undefined) list.head = waiter;
    else list.tail._next = waiter;
    list.tail = waiter;
    this.size++;
    if (dueAt < this.timerDueAt) this.arm(dueAt);
    // An infinite duration (a timeout of `Infinity`) never comes due: nothing to wake up for.
    else if (this.idle && dueAt !== Infinity) {
      this.idle = false;
      (this.timer as Referable).ref();
    }
  }

  /** Removes `waiter`; harmless when it already fired or was removed. */
  remove(waiter: DeadlineWaiter): void {
    const list = waiter._list;
    if (list === undefined) return;
    this.unlink(list, waiter);
    if (--this.size === 0) this.sleep();
  }

  private unlink(list: DurationList, waiter: DeadlineWaiter): void {
    const previous = waiter._previous;
    const next = waiter._next;
    if (previous === undefined) list.head = next;
    else previous._next = next;
    if (next === undefined) list.tail = previous;
    else next._previous = previous;
    waiter._previous = undefined;
    waiter._next = undefined;
    waiter._list = undefined;
    // An empty list is kept: most primitives use one fixed duration, and making a list per call
    // in a sequential workload would cost more than the rest of the bookkeeping.
  }

  private pruneEmptyLists(): void {
    for (const [durationMs, list] of this.lists) {
      if (list.head !== undefined) continue;
      this.lists.delete(durationMs);
      if (list === this.lastList) this.lastList = undefined;
    }
  }

  private arm(dueAt: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.idle = false;
    this.timerDueAt = dueAt;
    this.timer = this.clock.setTimeout(this.fire, Math.max(0, dueAt - this.clock.now()));
  }

  /** No waiter left: unreference the host timer when possible, else clear it. */
  private sleep(): void {
    const timer = this.timer;
    if (timer === undefined) return;
    if (isReferable(timer)) {
      timer.unref();
      this.idle = true;
      return;
    }
    this.clock.clearTimeout(timer);
    this.timer = undefined;
    this.timerDueAt = Infinity;
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerDueAt = Infinity;
    this.idle = false;
    const now = this.clock.now();
    // Collect first: a waiter's callback may add or remove waiters.
    const due: DeadlineWaiter[] = [];
    for (const list of this.lists.values()) {
      for (let waiter = list.head; waiter !== undefined && waiter._dueAt <= now; waiter = list.head) {
        this.unlink(list, waiter);
        this.size--;
        due.push(waiter);
      }
    }
    let earliest = Infinity;
    for (const list of this.lists.values()) {
      if (list.head !== undefined && list.head._dueAt < earliest) earliest = list.head._dueAt;
    }
    if (earliest !== Infinity && earliest < this.timerDueAt) this.arm(earliest);
    for (const waiter of due) waiter.onDeadline();
  }
}

interface Referable {
  ref(): unknown;
  unref(): unknown;
}

function isReferable(handle: TimerHandle): handle is Referable {
  return typeof handle === 'object' && handle !== null && typeof (handle as Partial<Referable>).unref === 'function' && typeof (handle as Partial<Referable>).ref === 'function';
}

/** Empty per-duration lists kept before pruning (durations are usually a handful of constants). */
const maxRetainedLists = 64;

const queues = new WeakMap<Clock, DeadlineQueue>();

/** @internal The shared deadline queue of `clock`. */
export function deadlineQueueFor(clock: Clock): DeadlineQueue {
  let queue = queues.get(clock);
  if (queue === undefined) {
    queue = new DeadlineQueue(clock);
    queues.set(clock, queue);
  }
  return queue;
}
