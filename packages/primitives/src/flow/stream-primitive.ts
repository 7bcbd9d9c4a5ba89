import { InvalidInputError } from '../errors/invalid-input-error.js';
import { WorkflowPrimitive, type PrimitiveOptions } from '../core/workflow-primitive.js';
import type { WorkflowContext } from '../core/workflow-context.js';
import { describeValue } from '../core/describe-value.js';
import { requireFunction, requireInteger } from '../core/options.js';
import { LazyAbort } from '../core/abort.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { CooperativeBudget, yieldToMacrotask } from '../core/cooperative-yield.js';
import { subscribeToAbortWhileReachable } from '../core/weak-abort-subscription.js';
import { DeadlineExceededError } from '../errors/deadline-exceeded-error.js';
import { wrappedChild, type PrimitiveChild } from '../core/primitive-child.js';
import type { PrimitiveOptionsSummary } from '../core/primitive-description.js';

/** Where a stream's items come from: any async or sync iterable, made from the input. */
export type StreamSource<TInput, TItem> = (input: TInput, context: WorkflowContext) => AsyncIterable<TItem> | Iterable<TItem>;

/** Options of {@link StreamPrimitive.map}. */
export interface StreamMapOptions {
  /**
   * How many items are mapped at once. Outputs keep the source order; with `concurrency: n` the
   * stream pulls at most `n` items ahead of the consumer.
   * @default 1
   */
  readonly concurrency?: number;
}

/** @internal One transformation of the item iterator. */
type Stage = (upstream: AsyncIterator<unknown>, context: WorkflowContext, owner: string) => AsyncIterator<unknown>;

const done: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });
const noop = (): void => {};

/**
 * A lazy, abortable stream of items: `execute` resolves at once with an `AsyncIterable` that pulls
 * from the source only as the consumer asks (backpressure), one item at a time unless a `map` has
 * a `concurrency`. Build it with `stream(source)` (or `stream()` to take an iterable as the input)
 * and chain `map`, `filter` and `take`; each returns a new primitive. `collect()` turns it into a
 * primitive that resolves with an array.
 *
 * The iterable can be iterated once. When the context aborts, a pending `next()` rejects at once
 * with the abort reason and `return()` is called on the source, so a generator's `finally` runs
 * and an HTTP stream is released; breaking out of `for await` does the same. The context's
 * deadline holds while the stream is iterated, also after `execute` has returned: at the deadline
 * the source's `context.signal` aborts and the pending `next()` rejects with `DeadlineExceededError`.
 *
 * A source that never awaits real I/O (a synchronous generator, an endless filter) yields to the
 * event loop every few milliseconds, so timers, deadlines and aborts still fire. A source whose
 * `next()` gives something other than an iterator result rejects with `InvalidInputError`. An
 * iterator dropped without `return()` keeps no listener on the caller's signal once collected.
 *
 * Instrumentation measures `execute`, which only builds the iterable: measure the consumption
 * with `collect()` or around your loop.
 *
 * @example
 * <!-- snippet-prelude: declare const model: { streamTokens(prompt: string, signal: AbortSignal): AsyncIterable<string> }; -->
 * ```ts
 * const tokens = stream((prompt: string, context) => model.streamTokens(prompt, context.signal))
 *   .filter((token) => token.trim() !== '')
 *   .map((token) => token.toUpperCase());
 * for await (const token of await tokens.execute(context, 'Hello')) process.stdout.write(token);
 * ```
 */
export class StreamPrimitive<TInput, TItem> extends WorkflowPrimitive<TInput, AsyncIterable<TItem>> {
  private readonly source: StreamSource<TInput, unknown>;
  private readonly stages: readonly Stage[];

  /**
   * @param source makes the iterable from the input; called at the first `next()`, not by `execute`.
   */
  constructor(source: StreamSource<TInput, TItem>, options: PrimitiveOptions = {}) {
    super('stream', options);
    requireFunction('StreamPrimitive', 'source', source, { signature: '(input, context) => AsyncIterable' });
    this.source = source;
    this.stages = [];
  }

  override _describeOptions(): PrimitiveOptionsSummary {
    return { source: this.source, stages: this.stages.length };
  }

  /** Maps every item; `fn` may be async. Outputs keep the source order. */
  map<TNext>(fn: (item: TItem, context: WorkflowContext) => TNext | PromiseLike<TNext>, options: StreamMapOptions = {}): StreamPrimitive<TInput, TNext> {
    requireFunction('StreamPrimitive.map', 'fn', fn, { signature: '(item, context) => value' });
    const concurrency = options.concurrency ?? 1;
    requireInteger('StreamPrimitive.map', 'concurrency', concurrency, { min: 1 });
    const mapper = fn as (item: unknown, context: WorkflowContext) => unknown;
    return this.with(concurrency === 1 ? mapSequential(mapper) : mapConcurrent(mapper, concurrency));
  }

  /** Keeps the items for which `predicate` holds; the predicate may be async. */
  filter<TKept extends TItem>(predicate: (item: TItem, context: WorkflowContext) => item is TKept): StreamPrimitive<TInput, TKept>;
  filter(predicate: (item: TItem, context: WorkflowContext) => boolean | PromiseLike<boolean>): StreamPrimitive<TInput, TItem>;
  filter(predicate: (item: TItem, context: WorkflowContext) => boolean | PromiseLike<boolean>): StreamPrimitive<TInput, TItem> {
    requireFunction('StreamPrimitive.filter', 'predicate', predicate, { signature: '(item, context) => boolean' });
    return this.with(filterStage(predicate as (item: unknown, context: WorkflowContext) => boolean | PromiseLike<boolean>));
  }

  /** Ends the stream after `count` items and closes the source (calls its `return()`). */
  take(count: number): StreamPrimitive<TInput, TItem> {
    requireInteger('StreamPrimitive.take', 'count', count);
    return this.with(takeStage(count));
  }

  /**
   * A primitive that consumes the stream and resolves with every item in an array.
   * @param options its name and instrumentation. @default name `'<this name>.collect'`
   */
  collect(options: PrimitiveOptions = {}): WorkflowPrimitive<TInput, TItem[]> {
    return new StreamCollectPrimitive(this, { name: `${this.name}.collect`, ...options });
  }

  protected executeImpl(context: WorkflowContext, input: TInput): Promise<AsyncIterable<TItem>> {
    const owner = `stream "${this.name}"`;
    return Promise.resolve(new StreamIterator<TItem>(() => openSource(this.source(input, context), owner), this.stages, context, owner));
  }

  private with<TNext>(stage: Stage): StreamPrimitive<TInput, TNext> {
    const next = Object.create(StreamPrimitive.prototype) as StreamPrimitive<TInput, TNext>;
    Object.assign(next, this, { stages: [...this.stages, stage] });
    return next;
  }
}

/** Consumes a stream into an array. Made by {@link StreamPrimitive.collect}. */
class StreamCollectPrimitive<TInput, TItem> extends WorkflowPrimitive<TInput, TItem[]> {
  constructor(
    private readonly stream: StreamPrimitive<TInput, TItem>,
    options: PrimitiveOptions,
  ) {
    super('stream-collect', options);
  }

  override _children(): readonly PrimitiveChild[] {
    return wrappedChild(this.stream);
  }

  protected async executeImpl(context: WorkflowContext, input: TInput): Promise<TItem[]> {
    const items: TItem[] = [];
    for await (const item of await this.stream.execute(context, input)) items.push(item);
    return items;
  }
}

function openSource(iterable: AsyncIterable<unknown> | Iterable<unknown>, owner: string): AsyncIterator<unknown> {
  if (iterable !== null && typeof iterable === 'object') {
    const asyncFactory = (iterable as AsyncIterable<unknown>)[Symbol.asyncIterator];
    if (typeof asyncFactory === 'function') return guardAsync(checkIterator(asyncFactory.call(iterable), owner));
    const syncFactory = (iterable as Iterable<unknown>)[Symbol.iterator];
    if (typeof syncFactory === 'function') return guardSync(checkIterator(syncFactory.call(iterable), owner), owner);
  }
  throw new InvalidInputError(owner, 'the source must return an AsyncIterable or an Iterable');
}

function checkIterator<TIterator extends AsyncIterator<unknown> | Iterator<unknown>>(iterator: TIterator, owner: string): TIterator {
  if (typeof iterator === 'object' && iterator !== null && typeof iterator.next === 'function') return iterator;
  throw new InvalidInputError(owner, `the source's iterator factory returned ${describeValue(iterator)}, expected an iterator with next()`);
}

/** Every reader of a source's results checks them: a null would otherwise throw inside a promise callback. */
function checkResult(result: unknown, owner: string): IteratorResult<unknown> {
  if (typeof result === 'object' && result !== null) return result as IteratorResult<unknown>;
  throw resultError(result, owner);
}

function resultError(result: unknown, owner: string): InvalidInputError {
  return new InvalidInputError(owner, `the source's next() gave ${describeValue(result)}, expected an iterator result ({ done, value })`);
}

/**
 * Every pull from the source goes through here: a source that never awaits real I/O lets the event
 * loop run every few milliseconds, or no timer (deadline, timeout) could ever stop it. Its results
 * are checked where they are read (no extra promise per item).
 */
function guardAsync(iterator: AsyncIterator<unknown>): AsyncIterator<unknown> {
  const budget = new CooperativeBudget();
  const pull = (): Promise<IteratorResult<unknown>> => iterator.next();
  return {
    next: () => (budget.due() ? yieldToMacrotask().then(pull) : iterator.next()),
    return: () => (typeof iterator.return === 'function' ? Promise.resolve(iterator.return()) : Promise.resolve(done)),
  };
}

function guardSync(iterator: Iterator<unknown>, owner: string): AsyncIterator<unknown> {
  const budget = new CooperativeBudget();
  const pull = (): IteratorResult<unknown> => checkResult(iterator.next(), owner);
  return {
    next: () => (budget.due() ? yieldToMacrotask().then(pull) : Promise.resolve(pull())),
    return: () => Promise.resolve(typeof iterator.return === 'function' ? iterator.return() : done),
  };
}

function closeQuietly(iterator: AsyncIterator<unknown> | undefined): void {
  if (iterator?.return === undefined) return;
  try {
    // Not awaited: a source stuck in a pending next() may settle its return() only later.
    Promise.resolve(iterator.return()).then(noop, noop);
  } catch {
    // A throwing return() must not hide the reason the stream stopped.
  }
}

/** The iterable handed to the consumer: runs the stages lazily and stops on abort. */
class StreamIterator<TItem> implements AsyncIterableIterator<TItem> {
  private iterator: AsyncIterator<unknown> | undefined;
  private finished = false;
  private started = false;
  // Ends the abort subscription and the deadline timer, when iteration ends before them.
  private release: (() => void) | undefined;
  // Every next() not yet settled: an abort rejects them all at once.
  private readonly pendingRejects = new Set<(reason: unknown) => void>();

  constructor(
    private readonly open: () => AsyncIterator<unknown>,
    private readonly stages: readonly Stage[],
    private readonly context: WorkflowContext,
    private readonly owner: string,
  ) {}

  [Symbol.asyncIterator](): AsyncIterableIterator<TItem> {
    return this;
  }

  next(): Promise<IteratorResult<TItem>> {
    if (this.finished) return Promise.resolve(done);
    const context = this.context;
    if (context.aborted) {
      this.finish(true);
      return Promise.reject(context.abortReason);
    }
    let pending: Promise<IteratorResult<TItem>>;
    try {
      if (!this.started) this.start();
      pending = Promise.resolve(this.iterator!.next() as Promise<IteratorResult<TItem>>);
    } catch (error) {
      this.finish(true);
      return Promise.reject(error);
    }
    return new Promise<IteratorResult<TItem>>((resolve, reject) => {
      const pendingRejects = this.pendingRejects;
      pendingRejects.add(reject);
      pending.then(
        (result) => {
          pendingRejects.delete(reject);
          // Finished meanwhile by return() (an abort has rejected this call already).
          if (this.finished) return resolve(done);
          if (typeof result !== 'object' || result === null) {
            this.finish(true);
            return reject(resultError(result, this.owner));
          }
          // A source that ended by itself is not closed again.
          if (result.done) this.finish(false);
          resolve(result);
        },
        (error: unknown) => {
          pendingRejects.delete(reject);
          if (this.finished) return resolve(done);
          this.finish(true);
          reject(error);
        },
      );
    });
  }

  return(): Promise<IteratorResult<TItem>> {
    this.finish(true);
    return Promise.resolve(done);
  }

  /** @internal Called on abort (through a weak link: a dropped iterator can be collected). */
  aborted(reason: unknown): void {
    this.finish(true);
    for (const reject of this.pendingRejects) reject(reason);
    this.pendingRejects.clear();
  }

  private start(): void {
    this.started = true;
    const context = this.context;
    const abort = context._abort;
    // The deadline is armed before the source opens, so the signal the source reads aborts at it.
    const deadline = context.deadline === undefined || !(abort instanceof LazyAbort) ? undefined : armStreamDeadline(abort, context.deadline, context.clock);
    if (context.aborted) {
      deadline?.();
      throw context.abortReason;
    }
    this.release = abort === undefined ? deadline : releaseBoth(subscribeToAbortWhileReachable(abort, this, abortIterator, deadline), deadline);
    let iterator = this.open();
    for (const stage of this.stages) iterator = stage(iterator, context, this.owner);
    this.iterator = iterator;
  }

  private finish(close: boolean): void {
    if (this.finished) return;
    this.finished = true;
    const release = this.release;
    this.release = undefined;
    release?.();
    if (close) closeQuietly(this.iterator);
  }
}

const abortIterator = (iterator: StreamIterator<unknown>, reason: unknown): void => iterator.aborted(reason);

function releaseBoth(unsubscribe: () => void, disarm: (() => void) | undefined): () => void {
  return disarm === undefined
    ? unsubscribe
    : () => {
        unsubscribe();
        disarm();
      };
}

/**
 * Arms the context's deadline on its scope for as long as the stream is iterated: `execute` only
 * built the iterable, and its own deadline timer ended when it returned. Returns the disarm, which
 * must not see the iterator (it also runs when a dropped iterator is collected).
 */
function armStreamDeadline(scope: LazyAbort, deadline: number, clock: Clock): (() => void) | undefined {
  const remaining = deadline - clock.now();
  if (remaining <= 0) {
    scope.abort(new DeadlineExceededError(deadline));
    return undefined;
  }
  const handle: TimerHandle = clock.setTimeout(() => scope.abort(new DeadlineExceededError(deadline)), remaining);
  // Held, the scope stays linked to the caller's signal even when an execute on it ends meanwhile.
  scope.hold();
  let armed = true;
  return () => {
    if (!armed) return;
    armed = false;
    clock.clearTimeout(handle);
    scope.drop();
  };
}

function mapSequential(fn: (item: unknown, context: WorkflowContext) => unknown): Stage {
  return (upstream, context, owner) => ({
    next: async () => {
      const result = checkResult(await upstream.next(), owner);
      if (result.done) return done;
      return { done: false, value: await fn(result.value, context) };
    },
    return: () => {
      closeQuietly(upstream);
      return Promise.resolve(done);
    },
  });
}

function mapConcurrent(fn: (item: unknown, context: WorkflowContext) => unknown, concurrency: number): Stage {
  return (upstream, context, owner) => {
    // Items are pulled one after another, but up to `concurrency` of them are mapped at once.
    const buffer: Promise<IteratorResult<unknown>>[] = [];
    let pull: Promise<unknown> = Promise.resolve();
    let upstreamDone = false;
    let closed = false;
    const fill = (): void => {
      while (buffer.length < concurrency && !upstreamDone && !closed) {
        const pulled = pull.then(async (): Promise<IteratorResult<unknown>> => {
          if (upstreamDone || closed) return done;
          const result = checkResult(await upstream.next(), owner);
          if (result.done) upstreamDone = true;
          return result;
        });
        pull = pulled.then(noop, noop);
        const mapped = pulled.then(async (result): Promise<IteratorResult<unknown>> => (result.done ? done : { done: false, value: await fn(result.value, context) }));
        // The consumer awaits each entry in turn; this keeps a failure of one it never reaches silent.
        mapped.then(noop, noop);
        buffer.push(mapped);
      }
    };
    return {
      next: () => {
        if (closed) return Promise.resolve(done);
        fill();
        const head = buffer.shift();
        if (head === undefined) return Promise.resolve(done);
        return head.then((result) => {
          if (result.done) closed = true;
          return result;
        });
      },
      return: () => {
        closed = true;
        buffer.length = 0;
        closeQuietly(upstream);
        return Promise.resolve(done);
      },
    };
  };
}

function filterStage(predicate: (item: unknown, context: WorkflowContext) => boolean | PromiseLike<boolean>): Stage {
  return (upstream, context, owner) => ({
    next: async () => {
      for (;;) {
        const result = checkResult(await upstream.next(), owner);
        if (result.done) return done;
        if (await predicate(result.value, context)) return result;
        context.throwIfAborted();
      }
    },
    return: () => {
      closeQuietly(upstream);
      return Promise.resolve(done);
    },
  });
}

function takeStage(count: number): Stage {
  return (upstream, _context, owner) => {
    let taken = 0;
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      closeQuietly(upstream);
    };
    return {
      next: async () => {
        if (taken >= count) {
          close();
          return done;
        }
        const result = checkResult(await upstream.next(), owner);
        if (result.done) return done;
        // Release the source as soon as the last wanted item is in hand.
        if (++taken >= count) close();
        return result;
      },
      return: () => {
        close();
        return Promise.resolve(done);
      },
    };
  };
}

/** Makes a stream primitive from a source function (`stream(source)`), or one whose input is the iterable itself (`stream<T>()`). */
export function stream<TItem>(): StreamPrimitive<AsyncIterable<TItem> | Iterable<TItem>, TItem>;
export function stream<TInput, TItem>(source: StreamSource<TInput, TItem>, options?: PrimitiveOptions): StreamPrimitive<TInput, TItem>;
export function stream(source?: StreamSource<unknown, unknown>, options: PrimitiveOptions = {}): StreamPrimitive<unknown, unknown> {
  return new StreamPrimitive(source ?? ((input) => input as AsyncIterable<unknown>), options);
}
