// Hostile use of the core: a step that ignores its signal, a run that never yields a macrotask,
// many runs on one caller signal, log fields that throw, a log sink that fails, junk in place of a
// context, errors that are proxies or carry throwing getters. Each finding stays fixed.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  CompensationPrimitive,
  InvalidInputError,
  ParallelPrimitive,
  TtaError,
  WorkflowContext,
  retry,
  step,
  timeout,
} from '@tta/primitives';
import { bindLogger, createJsonLogger, type LogFields } from '@tta/primitives/logging';
import { collectGarbage } from './leak-probe.js';
import { record } from './figures.js';

const mib = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** A promise and the functions that settle it. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

describe('attack on the core', () => {
  it('saga: undos run one at a time in reverse order of completion, the late step too, each once', async () => {
    const log: string[] = [];
    let running = 0;
    let overlapped = false;
    const releaseFirstUndo = deferred<void>();
    const finishLateStep = deferred<void>();
    const undo = (name: string, wait?: Promise<void>) =>
      step(`undo-${name}`, async () => {
        running++;
        if (running > 1) overlapped = true;
        log.push(`start ${name}`);
        if (wait !== undefined) await wait;
        await Promise.resolve();
        log.push(`end ${name}`);
        running--;
      });
    const saga = new CompensationPrimitive({
      steps: [
        { step: step('a', (value: number) => value + 1), undo: undo('a') },
        { step: step('b', (value: number) => value + 1), undo: undo('b', releaseFirstUndo.promise) },
        // Ignores its signal: completes after the abort, while the undo of b is still running.
        { step: step('late', async (value: number) => (await finishLateStep.promise, value + 1)), undo: undo('late') },
      ],
    });
    const controller = new AbortController();
    const outcome = saga.execute(WorkflowContext.create({ signal: controller.signal }), 0).catch((error: unknown) => error);
    for (let turn = 0; turn < 10; turn++) await Promise.resolve();
    controller.abort(new Error('caller gave up'));
    for (let turn = 0; turn < 10; turn++) await Promise.resolve();
    finishLateStep.resolve();
    for (let turn = 0; turn < 10; turn++) await Promise.resolve();
    releaseFirstUndo.resolve();
    expect(await outcome).toBe(controller.signal.reason);
    for (let turn = 0; turn < 20 && log.length < 6; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(overlapped).toBe(false);
    expect(log).toEqual(['start b', 'end b', 'start late', 'end late', 'start a', 'end a']);
  });

  it('keeps the heap under 50 MiB over 100,000 runs that read the signal within one job', async () => {
    const caller = new AbortController();
    const bounded = timeout(
      step('reads-signal', (value: number, context) => (context.signal.aborted ? -1 : value)),
      { timeoutMs: 60_000 },
    );
    const before = await collectGarbage().then(() => process.memoryUsage().heapUsed);
    // Only microtasks between runs: nothing here yields a macrotask until the loop is over.
    for (let run = 0; run < 100_000; run++) {
      await bounded.execute(WorkflowContext.create({ signal: caller.signal, timeoutMs: 60_000 }), run);
    }
    (globalThis as { gc?: () => void }).gc?.();
    const grownMiB = mib(process.memoryUsage().heapUsed - before);
    record('attack-core.heapGrowthMiB.100kRunsOneJob', grownMiB);
    expect(grownMiB).toBeLessThan(50);
  });

  it('prints no MaxListenersExceededWarning with 50 concurrent timeout, parallel and retry runs on one caller signal', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const caller = new AbortController();
      const gate = deferred<void>();
      const slow = step('slow', async (value: number, context) => (context.signal.aborted ? -1 : (await gate.promise, value)));
      const bounded = timeout(slow, { timeoutMs: 60_000 });
      const context = WorkflowContext.create({ signal: caller.signal });
      const runs = Array.from({ length: 50 }, (_, index) => bounded.execute(context, index));
      const fanOut = new ParallelPrimitive(Array.from({ length: 50 }, () => bounded));
      const fanned = fanOut.execute(context, 1);
      // Retries waiting between attempts listen to the same signal.
      let calls = 0;
      const failsOnce = retry(step('fails-once', (value: number) => (calls++ < 50 ? Promise.reject(new Error('transient')) : value)), { initialDelayMs: 5, jitter: 'none' });
      const retried = Array.from({ length: 50 }, (_, index) => failsOnce.execute(context, index));
      await new Promise((resolve) => setImmediate(resolve));
      gate.resolve();
      expect(await Promise.all(runs)).toHaveLength(50);
      expect(await fanned).toHaveLength(50);
      expect(await Promise.all(retried)).toHaveLength(50);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('logs a record whose fields have a throwing getter, a revoked proxy or a cycle, keeping the other fields', () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ write: (line) => lines.push(line) });
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = cycle;
    const hostile: LogFields = {
      kept: 'yes',
      get broken(): unknown {
        throw new Error('getter exploded');
      },
      proxy: revoked.proxy,
      cycle,
    };
    const context = WorkflowContext.create({ logger, correlationId: 'run-1' });
    expect(() => context.logger.info(hostile, 'hostile fields')).not.toThrow();
    expect(() => logger.warn(hostile)).not.toThrow();
    expect(() => context.logger.info(revoked.proxy as LogFields)).not.toThrow();
    expect(lines).toHaveLength(3);
    for (const line of lines.slice(0, 2)) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      expect(parsed.kept).toBe('yes');
      expect((parsed.cycle as Record<string, unknown>).name).toBe('loop');
    }
    expect((JSON.parse(lines[0]!) as Record<string, unknown>).correlationId).toBe('run-1');
  });

  it('a failing log sink never throws out of a log call and counts the dropped lines', async () => {
    const throwing = createJsonLogger({
      write: () => {
        throw new Error('disk full');
      },
    });
    expect(() => throwing.info({ a: 1 })).not.toThrow();
    expect(() => bindLogger(throwing, {}).error({ b: 2 })).not.toThrow();
    expect(throwing.droppedLines).toBe(2);

    // A reader that exits: writing to its stdin fails with EPIPE, reported as an 'error' event.
    const reader = spawn(process.execPath, ['-e', 'process.exit(0)'], { stdio: ['pipe', 'ignore', 'ignore'] });
    await once(reader, 'exit');
    const piped = createJsonLogger({ stream: reader.stdin });
    for (let line = 0; line < 20; line++) piped.info({ line, padding: 'x'.repeat(1024) });
    for (let turn = 0; turn < 50 && piped.droppedLines < 20; turn++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(piped.droppedLines).toBe(20);
  });

  it.each([null, undefined, 42, 'context', {}])('execute(%s, input) rejects with InvalidInputError naming the problem', async (junk) => {
    const primitives = [step('s', (value: number) => value), timeout(step('t', (value: number) => value), { timeoutMs: 1000 }), retry(step('r', (value: number) => value))];
    for (const primitive of primitives) {
      const outcome = await primitive.execute(junk as unknown as WorkflowContext, 1).then(
        () => 'resolved',
        (error: unknown) => error,
      );
      expect(InvalidInputError.isInstance(outcome)).toBe(true);
      expect((outcome as Error).message).toMatch(/WorkflowContext/);
    }
  });

  it("a user's error with a throwing `retryable` getter is the error retry rejects with", async () => {
    const hostile = Object.defineProperty(new Error('user failure'), 'retryable', {
      get(): never {
        throw new Error('getter exploded');
      },
    });
    const flaky = retry(step('fails', () => Promise.reject(hostile)), { maxAttempts: 3, initialDelayMs: 0 });
    await expect(flaky.execute(WorkflowContext.create(), 1)).rejects.toBe(hostile);
  });

  it('TtaError.isInstance and instanceof return false for revoked proxies and throwing traps', () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const trap = new Proxy(
      {},
      {
        get(): never {
          throw new Error('trap');
        },
        getPrototypeOf(): never {
          throw new Error('trap');
        },
      },
    );
    for (const value of [revoked.proxy, trap]) {
      expect(TtaError.isInstance(value)).toBe(false);
      expect(InvalidInputError.isInstance(value)).toBe(false);
      expect(value instanceof TtaError).toBe(false);
      expect(value instanceof InvalidInputError).toBe(false);
    }
  });

  it("retry rejects with the caller's reason when an attempt that ignores its signal resolves after the abort", async () => {
    const finish = deferred<void>();
    const deaf = retry(step('deaf', async (value: number) => (await finish.promise, value)));
    const controller = new AbortController();
    const outcome = deaf.execute(WorkflowContext.create({ signal: controller.signal }), 1).catch((error: unknown) => ({ rejected: error }));
    controller.abort(new Error('caller gave up'));
    finish.resolve();
    expect(await outcome).toEqual({ rejected: controller.signal.reason });
  });

  it('parallel fail-fast rejects with the abort reason when its branches ignore their signal', async () => {
    for (const concurrency of [Infinity, 1]) {
      const finish = deferred<void>();
      const deaf = step('deaf', async (value: number) => (await finish.promise, value));
      const fanOut = new ParallelPrimitive([deaf, deaf], { concurrency });
      const controller = new AbortController();
      const outcome = fanOut.execute(WorkflowContext.create({ signal: controller.signal }), 1).catch((error: unknown) => ({ rejected: error }));
      controller.abort(new Error('caller gave up'));
      finish.resolve();
      expect(await outcome).toEqual({ rejected: controller.signal.reason });
    }
  });
});
