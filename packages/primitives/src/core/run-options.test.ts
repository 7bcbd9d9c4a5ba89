import { afterEach, describe, expect, it } from 'vitest';
import { getEventListeners } from 'node:events';
import type { WorkflowContext } from './workflow-context.js';
import { step } from '../composition/lambda-primitive.js';
import { sequential } from '../composition/sequential.js';
import { retry } from '../recovery/retry-primitive.js';
import { DeadlineExceededError } from '../errors/deadline-exceeded-error.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { expectNoLeakedResources } from '../../test-support/leak-check.js';

afterEach(expectNoLeakedResources);

/** A step that records the context it ran on. */
function recorder() {
  const seen: WorkflowContext[] = [];
  const primitive = step('record', (input: string, context) => {
    seen.push(context);
    return `${input}!`;
  });
  return { primitive, seen };
}

describe('WorkflowPrimitive.run', () => {
  it('runs the primitive on a new context and resolves with its output', async () => {
    const { primitive, seen } = recorder();
    await expect(primitive.run('hi')).resolves.toBe('hi!');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives every call a context of its own', async () => {
    const { primitive, seen } = recorder();
    await primitive.run('a');
    await primitive.run('b');
    expect(seen[0]).not.toBe(seen[1]);
    expect(seen[0]!.correlationId).not.toBe(seen[1]!.correlationId);
  });

  it('passes data and correlationId to the context every step sees', async () => {
    const tones: unknown[] = [];
    const ids: string[] = [];
    const workflow = sequential(
      step('first', (input: string, context) => {
        tones.push(context.data['tone']);
        ids.push(context.correlationId);
        return input;
      }),
      step('second', (input: string, context) => {
        ids.push(context.correlationId);
        return input.toUpperCase();
      }),
    );
    await expect(workflow.run('hi', { data: { tone: 'brief' }, correlationId: 'req-42' })).resolves.toBe('HI');
    expect(tones).toEqual(['brief']);
    expect(ids).toEqual(['req-42', 'req-42']);
  });

  it('rejects with the signal’s reason when the signal is already aborted, without running the step', async () => {
    const { primitive, seen } = recorder();
    const reason = new Error('client went away');
    await expect(primitive.run('hi', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(seen).toHaveLength(0);
  });

  it('stops a retry when the signal aborts mid-run', async () => {
    const controller = new AbortController();
    let calls = 0;
    const failing = retry(
      step('failing', () => {
        calls++;
        if (calls === 2) controller.abort(new Error('stop'));
        throw new Error(`failure ${calls}`);
      }),
      { maxAttempts: 10, initialDelayMs: 1, jitter: 'none' },
    );
    await expect(failing.run(undefined, { signal: controller.signal })).rejects.toThrow('stop');
    expect(calls).toBe(2);
  });

  it('aborts the run with DeadlineExceededError when the deadline passes, and leaves no timer behind', async () => {
    const slow = step('slow', (_input: number, context) => new Promise<number>((_resolve, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true })));
    await expect(slow.run(1, { deadline: Date.now() + 20 })).rejects.toBeInstanceOf(DeadlineExceededError);
  });

  it('rejects with the signal’s reason as soon as it aborts, even when the step ignores its signal', async () => {
    let finish: (value: number) => void = () => {};
    const deaf = step('deaf', () => new Promise<number>((resolve) => (finish = resolve)));
    const controller = new AbortController();
    const run = deaf.run(1, { signal: controller.signal });
    controller.abort(new Error('user left'));
    await expect(run).rejects.toThrow('user left');
    finish(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects with DeadlineExceededError once the deadline passes, even when the step ignores its signal', async () => {
    let finish: (value: number) => void = () => {};
    const deaf = step('deaf', () => new Promise<number>((resolve) => (finish = resolve)));
    const run = deaf.run(1, { deadline: Date.now() + 20 });
    await expect(run).rejects.toBeInstanceOf(DeadlineExceededError);
    finish(1);
  });

  it('clears the deadline timer and removes its listener from the caller’s signal once the run is over', async () => {
    const controller = new AbortController();
    const reads = step('reads-signal', (input: number, context) => (context.signal.aborted ? -1 : input));
    await expect(reads.run(7, { signal: controller.signal, deadline: Date.now() + 60_000 })).resolves.toBe(7);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it.each([
    ['an unknown key', { timeoutMs: 100 }, 'timeoutMs'],
    ['a misspelt key', { correlationID: 'x' }, 'correlationID'],
    ['options that are not an object', 'fast', 'options'],
    ['null options', null, 'options'],
    ['a signal that is not an AbortSignal', { signal: 'stop' }, 'signal'],
    ['a deadline that is not a number', { deadline: '2026-12-07' }, 'deadline'],
    ['data that is not an object', { data: 3 }, 'data'],
    ['an empty correlationId', { correlationId: '' }, 'correlationId'],
  ])('rejects %s with InvalidOptionsError naming the option, without running the step', async (_label, options, option) => {
    const { primitive, seen } = recorder();
    const error = await primitive.run('hi', options as never).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).option).toBe(option);
    expect(seen).toHaveLength(0);
  });

  it('names the primitive’s run and the keys it takes when it refuses a key', async () => {
    const error = await step('summarise', (text: string) => text).run('hi', { logger: console } as never).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe('summarise.run: option "logger" is not an option of summarise.run (it takes correlationId, data, deadline, signal)');
  });

  it('rejects a deadline a Date cannot hold with InvalidInputError', async () => {
    const { primitive } = recorder();
    await expect(primitive.run('hi', { deadline: 1e20 })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('accepts an Infinity deadline as none', async () => {
    const { primitive, seen } = recorder();
    await expect(primitive.run('hi', { deadline: Infinity })).resolves.toBe('hi!');
    expect(seen[0]!.deadline).toBeUndefined();
  });

  it('returns a promise even when the options are refused (never throws synchronously)', () => {
    const { primitive } = recorder();
    const result = primitive.run('hi', { nope: true } as never);
    expect(result).toBeInstanceOf(Promise);
    return expect(result).rejects.toBeInstanceOf(InvalidOptionsError);
  });

  it('takes only its four options: a context option inherited from a prototype is not applied', async () => {
    const { primitive, seen } = recorder();
    // `Object.keys` does not list an inherited key, so the unknown-key check cannot see it.
    const options = Object.create({ timeoutMs: 5, logger: { debug() {}, info() {}, warn() {}, error() {} } }) as Record<string, unknown>;
    await expect(primitive.run('hi', options)).resolves.toBe('hi!');
    expect(seen[0]!.deadline).toBeUndefined();
  });

  it('reads inherited or getter-defined run options (a class instance) like any other options object', async () => {
    const { primitive, seen } = recorder();
    class RunSettings {
      get correlationId() {
        return 'order-42';
      }
    }
    await primitive.run('hi', new RunSettings());
    expect(seen[0]!.correlationId).toBe('order-42');
  });

  it('rejects options that throw when read with InvalidOptionsError naming the run, the error as cause', async () => {
    const { primitive } = recorder();
    const boom = new Error('boom');
    const throwing = {
      get signal(): AbortSignal {
        throw boom;
      },
    };
    const error: unknown = await primitive.run('hi', throwing).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as Error).message).toMatch(/^record\.run: .*cannot be read/);
    expect((error as Error).cause).toBe(boom);
    const proxy = new Proxy({}, { ownKeys: () => { throw boom; } });
    await expect(primitive.run('hi', proxy)).rejects.toBeInstanceOf(InvalidOptionsError);
  });
});
