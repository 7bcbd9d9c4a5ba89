import { afterEach, describe, expect, it } from 'vitest';
import { InvalidOptionsError, step, WorkflowContext } from '@tta/primitives';
import { cache } from './cache-primitive.js';
import type { CacheEntry, CacheLease, CacheStore } from './cache-store.js';
import { expectNoTimerLeaks } from './test-support/timer-leak-check.js';

afterEach(() => expectNoTimerLeaks());

/**
 * One shared store as several processes see it: entries and leases live in one place, and every
 * `CachePrimitive` built on it stands for one process (none shares in-process flights with another).
 */
class SharedLeasingStore<TValue> implements CacheStore<TValue> {
  readonly specificationVersion = 1 as const;
  readonly entries = new Map<string, CacheEntry<TValue>>();
  readonly leases = new Map<string, { token: number; until: number }>();
  leasesTaken = 0;
  failLeases = false;
  private tokens = 0;

  async get(key: string) {
    return this.entries.get(key);
  }
  async set(key: string, entry: CacheEntry<TValue>) {
    this.entries.set(key, entry);
  }
  async delete(key: string) {
    return this.entries.delete(key);
  }
  async acquireLease(key: string, ttlMs: number): Promise<CacheLease | undefined> {
    if (this.failLeases) throw new Error('store cannot lease');
    const held = this.leases.get(key);
    if (held !== undefined && held.until > Date.now()) return undefined;
    const token = ++this.tokens;
    this.leases.set(key, { token, until: Date.now() + ttlMs });
    this.leasesTaken++;
    return {
      release: async () => {
        if (this.leases.get(key)?.token === token) this.leases.delete(key);
      },
    };
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('CachePrimitive with a store that offers leases (single flight across processes)', () => {
  it('computes a key missed by three processes at the same moment once, and serves the result to all three', async () => {
    const store = new SharedLeasingStore<string>();
    let calls = 0;
    const model = step('model', async (question: string) => {
      calls++;
      await delay(50);
      return `answer to ${question}`;
    });
    const processes = [0, 1, 2].map(() => cache(model, { ttlMs: 60_000, store, leasePollMs: 5 }));
    const answers = await Promise.all(processes.map((cached) => cached.execute(new WorkflowContext(), 'q')));
    expect(answers).toEqual(['answer to q', 'answer to q', 'answer to q']);
    expect(calls).toBe(1);
    expect(store.leases.size).toBe(0);
  });

  it('serves the entry of a holder that finished just before the waiter got the lease, without computing again', async () => {
    const store = new SharedLeasingStore<string>();
    await store.acquireLease('q', 60_000);
    const acquire = store.acquireLease.bind(store);
    let tries = 0;
    // The other holder stores its value and releases the key after the waiter looked for the entry
    // and before its second try for the lease, which then succeeds.
    store.acquireLease = async (key, ttlMs) => {
      if (++tries === 2) {
        store.entries.set(key, { value: 'from the holder', storedAt: 0, expiresAt: Number.MAX_SAFE_INTEGER, staleUntil: Number.MAX_SAFE_INTEGER });
        store.leases.delete(key);
      }
      return acquire(key, ttlMs);
    };
    let calls = 0;
    const cached = cache(
      step('model', async () => {
        calls++;
        return 'computed again';
      }),
      { ttlMs: 60_000, store, leasePollMs: 5 },
    );
    expect(await cached.execute(new WorkflowContext(), 'q')).toBe('from the holder');
    expect(calls).toBe(0);
  });

  it('lets another process take over a key whose holder died, once the holder\'s lease expired', async () => {
    const store = new SharedLeasingStore<string>();
    // A holder that took the lease and died before storing anything.
    await store.acquireLease('q', 150);
    let calls = 0;
    const cached = cache(
      step('model', async () => {
        calls++;
        return 'computed here';
      }),
      { ttlMs: 60_000, store, leaseMs: 1_000, leasePollMs: 10 },
    );
    const started = Date.now();
    expect(await cached.execute(new WorkflowContext(), 'q')).toBe('computed here');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(calls).toBe(1);
  });

  it('stops waiting on another process\'s lease when the caller aborts', async () => {
    const store = new SharedLeasingStore<string>();
    await store.acquireLease('q', 60_000);
    const cached = cache(step('model', async () => 'never'), { store, leasePollMs: 5 });
    const controller = new AbortController();
    const pending = cached.execute(new WorkflowContext({ signal: controller.signal }), 'q');
    await delay(20);
    controller.abort(new Error('caller left'));
    await expect(pending).rejects.toThrow('caller left');
  });

  it('computes without a lease, reporting the failure, when the store cannot lease', async () => {
    const store = new SharedLeasingStore<string>();
    store.failLeases = true;
    const cached = cache(step('model', async () => 'computed'), { store });
    const errors: string[] = [];
    cached.onError((event) => errors.push(event.phase));
    expect(await cached.execute(new WorkflowContext(), 'q')).toBe('computed');
    expect(errors).toEqual(['lease']);
    expect(store.entries.get('q')?.value).toBe('computed');
  });

  it('refuses a leaseMs or leasePollMs that is not a positive duration, naming it', () => {
    const inner = step('model', async () => 'x');
    expect(() => cache(inner, { leaseMs: 0 })).toThrow(InvalidOptionsError);
    expect(() => cache(inner, { leaseMs: -5 })).toThrow(/leaseMs/);
    expect(() => cache(inner, { leasePollMs: Number.NaN })).toThrow(/leasePollMs/);
  });
});
