import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Effect } from 'effect';
import { RunnableLambda, RunnableSequence } from '@langchain/core/runnables';
import { SequentialPrimitive, step, WorkflowContext } from '@tta/primitives';
import type { Role } from './harness.js';
import { increment } from './steps.js';

/** Starts one 3-step workflow whose first step waits for `gate`. */
export type WorkflowStarter = (input: number) => Promise<unknown>;

/** One way to run a pending 3-step workflow. */
export interface MemoryVariant {
  readonly label: string;
  readonly role: Role;
  /** Builds a starter whose first step awaits `gate`. */
  readonly build: (gate: Promise<void>) => WorkflowStarter;
  /** Largest count this variant is measured at (LangChain is too slow to start 100,000 runs in the time budget). */
  readonly maxCount?: number;
  readonly note?: string;
}

/** Retained heap of one variant at one concurrency. */
export interface MemoryResult {
  readonly label: string;
  readonly role: Role;
  readonly count: number;
  /** Bytes of heap retained per pending workflow, or undefined when not measured at this count. */
  readonly bytesPerWorkflow: number | undefined;
  readonly note?: string;
}

const gated = (gate: Promise<void>) => async (value: number): Promise<number> => {
  await gate;
  return value + 1;
};

/** Raw, ours (a context per run, as an application does; and one shared context), Effect, LangChain. */
export function memoryVariants(): MemoryVariant[] {
  return [
    {
      label: 'raw async function, 3 awaits',
      role: 'raw',
      build: (gate) => {
        const first = gated(gate);
        return async (input) => {
          const a = await first(input);
          const b = await increment(a);
          return increment(b);
        };
      },
    },
    {
      label: '@tta/primitives, new WorkflowContext per run',
      role: 'tta',
      build: (gate) => {
        const workflow = new SequentialPrimitive<number, number>([step('memory-1', gated(gate)), step('memory-2', increment), step('memory-3', increment)]);
        return (input) => workflow.execute(new WorkflowContext(), input);
      },
    },
    {
      label: '@tta/primitives, one shared WorkflowContext',
      role: 'tta',
      build: (gate) => {
        const workflow = new SequentialPrimitive<number, number>([step('memory-1', gated(gate)), step('memory-2', increment), step('memory-3', increment)]);
        const context = new WorkflowContext({ correlationId: 'shared' });
        return (input) => workflow.execute(context, input);
      },
      note: 'the workflow machinery alone, without a context per run',
    },
    {
      label: 'effect 4 (flatMap chain, runPromise)',
      role: 'peer',
      build: (gate) => {
        const first = gated(gate);
        return (input) =>
          Effect.runPromise(
            Effect.flatMap(
              Effect.flatMap(
                Effect.promise(() => first(input)),
                (a) => Effect.promise(() => increment(a)),
              ),
              (b) => Effect.promise(() => increment(b)),
            ),
          );
      },
    },
    {
      label: '@langchain/core RunnableSequence',
      role: 'peer',
      maxCount: 10_000,
      build: (gate) => {
        const sequence = RunnableSequence.from([RunnableLambda.from(gated(gate)), RunnableLambda.from(increment), RunnableLambda.from(increment)]);
        return (input) => sequence.invoke(input);
      },
    },
  ];
}

let exposedGc: (() => void) | undefined;

/** Full collection: `gc` from `--expose-gc`, or obtained at run time (for the test runner). */
function collect(): void {
  exposedGc ??= (globalThis as { gc?: () => void }).gc;
  if (exposedGc === undefined) {
    setFlagsFromString('--expose-gc');
    exposedGc = runInNewContext('gc') as () => void;
  }
  exposedGc();
  exposedGc();
}

/**
 * Starts `count` workflows that all wait on one gate, lets them reach it, and reports the heap they
 * retain per workflow (after full collections before and after); then opens the gate and checks
 * that every workflow finishes with `input + 3`.
 */
export async function retainedBytesPerWorkflow(variant: MemoryVariant, count: number): Promise<number> {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const start = variant.build(gate);
  const pending = new Array<Promise<unknown> | undefined>(count).fill(undefined);
  // Let earlier work (timers, callbacks of other libraries) settle first, so that it is not counted.
  await new Promise((resolve) => setImmediate(resolve));
  collect();
  const before = process.memoryUsage().heapUsed;
  for (let index = 0; index < count; index++) pending[index] = start(index);
  // Let every run reach its waiting point (some libraries start the first step a few ticks later).
  await new Promise((resolve) => setImmediate(resolve));
  collect();
  const after = process.memoryUsage().heapUsed;
  open();
  const results = await Promise.all(pending);
  for (let index = 0; index < count; index++) {
    if (results[index] !== index + 3) throw new Error(`${variant.label}: workflow ${index} resolved to ${String(results[index])}`);
  }
  return (after - before) / count;
}

/** Measures every variant at every count: the median of `repeats` measurements (one at 100,000 and above). */
export async function measureMemory(counts: readonly number[], variants: readonly MemoryVariant[] = memoryVariants(), repeats = 3): Promise<MemoryResult[]> {
  const results: MemoryResult[] = [];
  for (const count of counts) {
    for (const variant of variants) {
      const measured = variant.maxCount === undefined || count <= variant.maxCount;
      let bytesPerWorkflow: number | undefined;
      if (measured) {
        const samples: number[] = [];
        // Large counts are stable on their own; small ones need the repeats.
        const times = count >= 100_000 ? 1 : repeats;
        for (let repeat = 0; repeat < times; repeat++) samples.push(await retainedBytesPerWorkflow(variant, count));
        bytesPerWorkflow = samples.sort((a, b) => a - b)[samples.length >> 1];
      }
      const note = measured ? variant.note : `not measured above ${variant.maxCount!.toLocaleString('en-US')} (time budget)`;
      results.push(note === undefined ? { label: variant.label, role: variant.role, count, bytesPerWorkflow } : { label: variant.label, role: variant.role, count, bytesPerWorkflow, note });
    }
  }
  return results;
}
