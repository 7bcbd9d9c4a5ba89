import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { BudgetExceededError, InvalidInputError, ParallelPrimitive, SequentialPrimitive, budget, compensation, fallback, retry, step, type AnyPrimitive } from '@tta/primitives';
import { ManualClock } from '@tta/primitives/testing';
import { MemoryRunStore, NonSerializableOutputError, RunLockedError, durable, waitFor } from '@tta/durable';

const seq = (name: string, ...steps: AnyPrimitive[]) => new SequentialPrimitive(steps, { name });

describe('attacks: JSON round trip', () => {
  const arrayWithToJSON = Object.assign([1, 2], { toJSON: () => 'other' });
  const arrayWithExtra = Object.assign([1, 2], { extra: 'lost' });
  class Items extends Array<number> {}
  const subclassed = Items.from([1, 2]);
  const withSymbol = { a: 1, [Symbol('hidden')]: 2 };
  let reads = 0;
  const getter = { get value() { reads++; return reads === 1 ? 'first' : 'second'; } };
  const nonEnumerable = Object.defineProperty({ a: 1 }, 'secret', { value: 2, enumerable: false });
  const cases: [string, unknown][] = [
    ['an array with a toJSON method', arrayWithToJSON],
    ['an array with extra properties', arrayWithExtra],
    ['an Array subclass', subclassed],
    ['an object with a symbol key', withSymbol],
    ['an object with a getter', getter],
    ['an object with a non-enumerable property', nonEnumerable],
  ];
  for (const [what, output] of cases) {
    it(`refuses ${what}`, async () => {
      const flow = durable(seq('flow', step('make', () => output)), { name: 'j', store: new MemoryRunStore() });
      await expect(flow.start(undefined, { runId: 'r' })).rejects.toSatisfy(NonSerializableOutputError.isInstance);
    });
  }
  it('round-trips __proto__ keys, large numbers and lone surrogates', async () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "n": 1.7976931348623157e308, "s": "\\ud800x"}') as unknown;
    const store = new MemoryRunStore();
    const flow = durable(seq('flow', step('make', () => value), waitFor('w')), { name: 'j', store });
    await flow.start(undefined, { runId: 'r' });
    const done = await flow.resume('r', { value: 1 });
    expect(done.status).toBe('completed');
    const run = await flow.inspect('r');
    const recorded = run?.steps.find((record) => record.path === 'flow/make')?.output;
    expect(Object.keys(recorded as object)).toEqual(['__proto__', 'n', 's']);
    expect(JSON.stringify(recorded)).toBe(JSON.stringify(value));
  });
});

describe('attacks: step identity', () => {
  it('a waitFor under retry suspends once and resumes with the value', async () => {
    const store = new MemoryRunStore();
    const flow = durable(seq('flow', retry(waitFor<number, number>('w'), { attempts: 3, baseDelayMs: 0 } as never), step('double', (x: number) => x * 2)), { name: 'j', store });
    const first = await flow.start(1, { runId: 'r' });
    expect(first.status).toBe('suspended');
    await expect(flow.resume('r', { value: 21 })).resolves.toMatchObject({ status: 'completed', output: 42 });
  });
  it('a waitFor as a fallback primary suspends, and the alternative is not used', async () => {
    const calls = { alt: 0 };
    const store = new MemoryRunStore();
    const flow = durable(seq('flow', fallback(waitFor<number, number>('w'), [step('alt', () => { calls.alt++; return -1; })])), { name: 'j', store });
    expect((await flow.start(1, { runId: 'r' })).status).toBe('suspended');
    await expect(flow.resume('r', { value: 5 })).resolves.toMatchObject({ status: 'completed', output: 5 });
    expect(calls.alt).toBe(0);
  });
  it('two waits in parallel: answering one keeps the other waiting; both answered complete', async () => {
    const store = new MemoryRunStore();
    const flow = durable(new ParallelPrimitive([waitFor<number, number>('wa'), waitFor<number, number>('wb')], { name: 'both' }), { name: 'j', store });
    const first = await flow.start(1, { runId: 'r' });
    expect(first.status).toBe('suspended');
    const second = await flow.resume('r', { value: 1 });
    expect(second.status).toBe('suspended');
    if (second.status === 'suspended' && first.status === 'suspended') expect(second.waitingFor.name).not.toBe(first.waitingFor.name);
    await expect(flow.resume('r', { value: 2 })).resolves.toMatchObject({ status: 'completed' });
  });
});

describe('attacks: bad input', () => {
  const flow = durable(step('x', () => 1), { name: 'x', store: new MemoryRunStore() });
  const calls: [string, () => Promise<unknown>][] = [
    ['resume with a number id', () => flow.resume(1 as never)],
    ['resume with options null', () => flow.resume('r', null as never)],
    ['inspect with an object', () => flow.inspect({} as never)],
    ['list with limit -1', () => flow.list({ limit: -1 })],
    ['list with status bogus', () => flow.list({ status: 'bogus' as never })],
    ['cancel with undefined', () => flow.cancel(undefined as never)],
    ['start with runId 5', () => flow.start(undefined, { runId: 5 as never })],
    ['start with signal not a signal', () => flow.start(undefined, { signal: 'x' as never })],
    ['resume with signal not a signal', () => flow.resume('r', { signal: {} as never })],
    ['start with data a string', () => flow.start(undefined, { data: 'x' as never })],
  ];
  for (const [what, call] of calls) {
    it(`refuses ${what} with a typed error`, async () => {
      await expect(call()).rejects.toSatisfy((error: unknown) => error instanceof Error && 'code' in error);
    });
  }
  it('refuses bad durable() options', () => {
    expect(() => durable(step('x', () => 1), { name: '', store: new MemoryRunStore() })).toThrow();
    expect(() => durable(step('x', () => 1), { name: 'x', store: {} as never })).toThrow();
    expect(() => durable(step('x', () => 1), { name: 'x', store: new MemoryRunStore(), leaseMs: -1 })).toThrow();
    expect(() => durable(step('x', () => 1), { name: 'x', store: new MemoryRunStore(), version: 3 as never })).toThrow();
    expect(() => durable({} as never, { name: 'x', store: new MemoryRunStore() })).toThrow();
  });
  void InvalidInputError;
});

describe('attacks: occurrence numbering that depends on timing', () => {
  it('never gives a step the recorded output of a call with another input', async () => {
    const calls: string[] = [];
    const summarise = step('summarise', (item: string) => {
      calls.push(item);
      return `summary of ${item}`;
    });
    const delays = { a: 30, b: 5 };
    const failing = { value: true };
    const fan = step('fan', async (items: string[], context) => {
      const outputs = await Promise.all(items.map(async (item) => {
        await new Promise((resolve) => setTimeout(resolve, delays[item as 'a' | 'b']));
        return summarise.execute(context, item);
      }));
      if (failing.value) throw new Error('crashed after the calls');
      return outputs;
    });
    const flow = durable(seq('flow', fan), { name: 'timing', store: new MemoryRunStore() });
    await expect(flow.start(['a', 'b'], { runId: 'r' })).rejects.toThrow('crashed');
    failing.value = false;
    delays.a = 5;
    delays.b = 30;
    const outcome = await flow.resume('r').catch((error: unknown) => error);
    // Either the right outputs or an explicit error; never a's call answered with b's summary.
    if (outcome instanceof Error) expect(outcome.message).toMatch(/another input/);
    else expect(outcome).toMatchObject({ status: 'completed', output: ['summary of a', 'summary of b'] });
  });
});

describe('attacks: a failed run shown to a person', () => {
  it('keeps no credential from an error message or its causes in the journal', async () => {
    const key = 'sk-live-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c';
    const leak = step('call', () => {
      throw new Error(`upstream refused Authorization: Bearer ${key}`, { cause: new Error(`api_key=${key}`) });
    });
    const flow = durable(seq('flow', leak), { name: 'secrets', store: new MemoryRunStore() });
    await expect(flow.start(undefined, { runId: 'r' })).rejects.toThrow('upstream refused');
    const run = await flow.inspect('r');
    expect(run?.error?.message).toMatch(/upstream refused/);
    expect(JSON.stringify(run)).not.toContain(key);
  });
});

describe('attacks: leases', () => {
  const sleepIgnoringSignal = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('stops a run whose lease cannot be renewed, and a resume finishes it without repeating completed steps', async () => {
    const calls: Record<string, number> = {};
    class FlakyStore extends MemoryRunStore {
      down = false;
      override renewLease(runId: string, token: string, leaseMs: number): Promise<boolean> {
        return this.down ? Promise.reject(new Error('store unavailable')) : super.renewLease(runId, token, leaseMs);
      }
    }
    const store = new FlakyStore();
    const first = step('first', (x: number) => ((calls['first'] = (calls['first'] ?? 0) + 1), x + 1));
    const slow = step('slow', async (x: number) => {
      calls['slow'] = (calls['slow'] ?? 0) + 1;
      if (calls['slow'] === 1) {
        store.down = true;
        await sleepIgnoringSignal(60);
      }
      return x * 2;
    });
    const after = step('after', (x: number) => ((calls['after'] = (calls['after'] ?? 0) + 1), x + 100));
    const flow = durable(seq('flow', first, slow, after), { name: 'lease', store, leaseMs: 30 });
    await expect(flow.start(1, { runId: 'r' })).rejects.toThrow();
    expect(calls['after']).toBeUndefined();
    // The lease could not be renewed, so the failure cannot be written under it: the run stays
    // `running` with an expired lease, as after a crash, and the next resume takes it over.
    expect((await flow.inspect('r'))?.status).toBe('running');
    store.down = false;
    await expect(flow.resume('r')).resolves.toMatchObject({ status: 'completed', output: 104 });
    expect(calls).toEqual({ first: 1, slow: calls['slow'], after: 1 });
  });

  it('refuses the writes of an owner whose lease another engine took over', async () => {
    // A frozen owner: its renewals never extend the lease, so it expires while the step runs.
    class FrozenRenewals extends MemoryRunStore {
      override renewLease(): Promise<boolean> {
        return Promise.resolve(true);
      }
    }
    const store = new FrozenRenewals();
    const gate: { open?: () => void } = {};
    const calls: Record<string, number> = {};
    const slow = step('slow', async (x: number) => {
      calls['slow'] = (calls['slow'] ?? 0) + 1;
      if (calls['slow'] === 1) await new Promise<void>((resolve) => (gate.open = resolve));
      return x + calls['slow'];
    });
    const stalled = durable(seq('flow', slow), { name: 'take', store, leaseMs: 30 });
    const firstRun = stalled.start(1, { runId: 'r' }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const other = durable(seq('flow', slow), { name: 'take', store, leaseMs: 30 });
    await expect(other.resume('r')).resolves.toMatchObject({ status: 'completed', output: 3 });
    gate.open?.();
    expect(RunLockedError.isInstance(await firstRun)).toBe(true);
    const run = await other.inspect('r');
    expect(run).toMatchObject({ status: 'completed', output: 3 });
    expect(run?.steps.filter((record) => record.path === 'flow/slow').map((record) => record.output)).toEqual([3]);
  });
});

describe('attacks: nothing left behind', () => {
  it('leaves no timer or listener after runs complete, suspend and fail', async () => {
    const signal = new AbortController().signal;
    const before = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const flow = durable(seq('flow', step('a', (x: number) => x), waitFor('w')), { name: 'leak', store: new MemoryRunStore() });
    for (let index = 0; index < 20; index++) {
      await flow.start(index, { runId: `r${index}`, signal });
      await flow.resume(`r${index}`, { value: index, signal });
    }
    const failing = durable(seq('flow', step('boom', () => { throw new Error('boom'); })), { name: 'leak2', store: new MemoryRunStore() });
    await expect(failing.start(undefined, { signal })).rejects.toThrow('boom');
    expect(process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length).toBe(before);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});

describe('attacks: cancel racing a resume', () => {
  it('leaves a run another process completed between the check and the lease as it is', async () => {
    class HookedStore extends MemoryRunStore {
      beforeAcquire: (() => Promise<unknown>) | undefined;
      override async acquireLease(runId: string, owner: string, leaseMs: number): Promise<string | undefined> {
        const hook = this.beforeAcquire;
        this.beforeAcquire = undefined;
        if (hook !== undefined) await hook();
        return super.acquireLease(runId, owner, leaseMs);
      }
    }
    const store = new HookedStore();
    const flow = durable(seq('flow', waitFor<number, number>('ok'), step('pay', (x: number) => x * 2)), { name: 'cancel-race', store });
    await flow.start(1, { runId: 'r' });
    const elsewhere = durable(seq('flow', waitFor<number, number>('ok'), step('pay', (x: number) => x * 2)), { name: 'cancel-race', store });
    store.beforeAcquire = () => elsewhere.resume('r', { value: 21 });
    await flow.cancel('r');
    expect(await flow.inspect('r')).toMatchObject({ status: 'completed', output: 42 });
  });
});

describe('attacks: more bad input', () => {
  const typed = (error: unknown) => error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
  it('refuses bad waitFor and durable() options with typed errors', () => {
    const bad: (() => unknown)[] = [
      () => waitFor(''),
      () => waitFor('w', { timeoutMs: -1 }),
      () => waitFor('w', { timeoutMs: Number.NaN }),
      () => waitFor('w', { schema: {} as never }),
      () => waitFor('w', { bogus: 1 } as never),
      () => durable(step('x', () => 1), { name: 'x', store: new MemoryRunStore(), maxStepOutputBytes: 0 }),
      () => durable(step('x', () => 1), { name: 'x', store: new MemoryRunStore(), clock: {} as never }),
      () => durable(step('x', () => 1), { name: 'x', store: new MemoryRunStore(), leaseMs: Number.POSITIVE_INFINITY }),
      () => durable(step('x', () => 1), null as never),
    ];
    for (const call of bad) expect(call).toThrow(expect.toSatisfy(typed) as never);
  });
  it('refuses bad listing and inspection input with typed errors', async () => {
    const flow = durable(step('x', () => 1), { name: 'x', store: new MemoryRunStore() });
    for (const call of [() => flow.list({ limit: 1.5 }), () => flow.inspect(''), () => flow.list('all' as never), () => flow.resume('r', { bogus: 1 } as never)]) {
      await expect(call()).rejects.toSatisfy(typed);
    }
  });
});

describe('attacks: idempotency keys across retry attempts', () => {
  it('gives every attempt of a retried step the same idempotency key, so a charge made before a failure is not repeated', async () => {
    const keys: (string | undefined)[] = [];
    const charge = step('charge', (cents: number, context) => {
      keys.push(context.idempotencyKey);
      // The charge went through, then reading the answer failed: the retry must reuse the key.
      if (keys.length === 1) throw new Error('connection reset after the charge');
      return cents;
    });
    const flow = durable(seq('flow', retry(charge, { attempts: 2, baseDelayMs: 0 } as never)), { name: 'pay', store: new MemoryRunStore() });
    await expect(flow.start(100, { runId: 'r' })).resolves.toMatchObject({ status: 'completed', output: 100 });
    expect(keys).toEqual(['r:flow/retry(charge)/charge', 'r:flow/retry(charge)/charge']);
  });
});

describe('attacks: usage of a retried attempt', () => {
  it('journals the usage of the attempt that succeeded on its own record', async () => {
    let attempt = 0;
    const call = step('call', (x: number, context) => {
      attempt++;
      context.reportUsage({ model: 'm', inputTokens: 10, outputTokens: 5, costUsd: 0.5 });
      if (attempt === 1) throw new Error('flaky');
      return x;
    });
    const store = new MemoryRunStore();
    const flow = durable(seq('flow', retry(call, { attempts: 2, baseDelayMs: 0 } as never)), { name: 'usage', store });
    await flow.start(1, { runId: 'r' });
    const run = await store.loadRun('r');
    expect(run?.steps.find((record) => record.path === 'flow/retry(call)/call#2')).toMatchObject({ usage: { calls: 1, inputTokens: 10 } });
    expect(run?.usage).toMatchObject({ calls: 2, inputTokens: 20 });
  });
});

describe('attacks: a step that mutates a replayed output', () => {
  it('does not change what the journal holds, so a later resume replays the output as it was recorded', async () => {
    const seen: number[][] = [];
    let runs = 0;
    const make = step('make', () => ({ list: [1] }));
    const mutate = step('mutate', (input: { list: number[] }) => {
      seen.push([...input.list]);
      input.list.push(99);
      if (++runs < 3) throw new Error('not yet');
      return input.list.length;
    });
    const flow = durable(seq('flow', make, mutate), { name: 'mutation', store: new MemoryRunStore() });
    await expect(flow.start(undefined, { runId: 'r' })).rejects.toThrow('not yet');
    await expect(flow.resume('r')).rejects.toThrow('not yet');
    await expect(flow.resume('r')).resolves.toMatchObject({ output: 2 });
    expect(seen).toEqual([[1], [1], [1]]);
  });
});

describe('attacks: an engine whose clock is ahead notices an expiry while another completes the run', () => {
  it('leaves the completed run as it is', async () => {
    class HookedStore extends MemoryRunStore {
      beforeWrite: (() => Promise<unknown>) | undefined;
      private async hook(): Promise<void> {
        const hook = this.beforeWrite;
        this.beforeWrite = undefined;
        if (hook !== undefined) await hook();
      }
      override async acquireLease(runId: string, owner: string, leaseMs: number): Promise<string | undefined> {
        await this.hook();
        return super.acquireLease(runId, owner, leaseMs);
      }
      override async setStatus(...args: Parameters<MemoryRunStore['setStatus']>): Promise<void> {
        await this.hook();
        return super.setStatus(...args);
      }
    }
    const store = new HookedStore();
    const definition = () => seq('flow', waitFor<number, number>('ok', { timeoutMs: 60_000 }), step('pay', (x: number) => x * 2));
    const behind = durable(definition(), { name: 'clocks', store });
    await behind.start(1, { runId: 'r' });
    const ahead = durable(definition(), { name: 'clocks', store, clock: new ManualClock(Date.now() + 120_000) });
    store.beforeWrite = () => behind.resume('r', { value: 21 });
    await ahead.list();
    expect(await behind.inspect('r')).toMatchObject({ status: 'completed', output: 42 });
  });
});

describe('attacks: a wait inside a saga', () => {
  it('does not undo the completed steps when the run suspends, and completes them once on resume', async () => {
    const effects: string[] = [];
    const charge = step('charge', (cents: number) => (effects.push(`charge ${cents}`), cents));
    const refund = step('refund', (cents: number) => (effects.push(`refund ${cents}`), cents));
    const approve = waitFor<number, number>('approve');
    const keep = step('keep', (x: number) => x);
    const saga = compensation({ steps: [{ step: charge, undo: refund }, { step: approve, undo: keep }] } as never) as unknown as AnyPrimitive;
    const flow = durable(seq('flow', saga), { name: 'saga', store: new MemoryRunStore() });
    await expect(flow.start(500, { runId: 'r' })).resolves.toMatchObject({ status: 'suspended' });
    await expect(flow.resume('r', { value: 1 })).resolves.toMatchObject({ status: 'completed' });
    expect(effects).toEqual(['charge 500']);
  });
});

describe('attacks: a budget around a run resumed after a failed session', () => {
  it('counts what the failed session spent, so the resumed step is refused at its checkBudget', async () => {
    let session = 0;
    const call = step('call', (x: number, context) => {
      for (let spend = 0; spend < 2; spend++) {
        context.checkBudget();
        context.reportUsage({ model: 'm', inputTokens: 10, outputTokens: 5, costUsd: 0.6 });
        if (session === 1) throw new Error('failed after spending');
      }
      return x;
    });
    const store = new MemoryRunStore();
    const flow = durable(seq('flow', budget(call, { maxCostUsd: 1 })), { name: 'spent', store });
    session = 1;
    await expect(flow.start(1, { runId: 'r' })).rejects.toThrow('failed after spending');
    session = 2;
    await expect(flow.resume('r')).rejects.toSatisfy(BudgetExceededError.isInstance);
    const run = await flow.inspect('r');
    expect(run?.usage).toMatchObject({ calls: 2, inputTokens: 20, outputTokens: 10 });
    expect(run?.usage?.costUsd).toBeCloseTo(1.2);
  });

  it('counts every failed session once, however often the run is resumed', async () => {
    let session = 0;
    const call = step('call', (x: number, context) => {
      context.checkBudget();
      context.reportUsage({ model: 'm', inputTokens: 1, outputTokens: 1, costUsd: 0.3 });
      if (session < 3) throw new Error('failed after spending');
      context.checkBudget();
      return x;
    });
    const store = new MemoryRunStore();
    const flow = durable(seq('flow', budget(call, { maxCostUsd: 0.8 })), { name: 'sessions', store });
    session = 1;
    await expect(flow.start(1, { runId: 'r' })).rejects.toThrow('failed after spending');
    session = 2;
    await expect(flow.resume('r')).rejects.toThrow('failed after spending');
    session = 3;
    await expect(flow.resume('r')).rejects.toSatisfy(BudgetExceededError.isInstance);
    const run = await flow.inspect('r');
    expect(run?.usage).toMatchObject({ calls: 3, inputTokens: 3, outputTokens: 3 });
    expect(run?.usage?.costUsd).toBeCloseTo(0.9);
  });

  it('replays a completed step as before, and counts a failed session once in the run total', async () => {
    let failures = 1;
    const first = step('first', (x: number, context) => {
      context.reportUsage({ model: 'm', inputTokens: 1, outputTokens: 1, costUsd: 0.1 });
      return x;
    });
    const second = step('second', (x: number, context) => {
      context.reportUsage({ model: 'm', inputTokens: 2, outputTokens: 2, costUsd: 0.2 });
      if (failures-- > 0) throw new Error('flaky');
      return x;
    });
    const store = new MemoryRunStore();
    const flow = durable(seq('flow', first, second), { name: 'once', store });
    await expect(flow.start(1, { runId: 'r' })).rejects.toThrow('flaky');
    await expect(flow.resume('r')).resolves.toMatchObject({ status: 'completed', output: 1 });
    const run = await flow.inspect('r');
    expect(run?.usage).toMatchObject({ calls: 3, inputTokens: 5, outputTokens: 5 });
    expect(run?.usage?.costUsd).toBeCloseTo(0.5);
    const stored = await store.loadRun('r');
    expect(stored?.steps.find((record) => record.path === 'flow/first')).toMatchObject({ status: 'completed', usage: { calls: 1, costUsd: 0.1 } });
  });
});
