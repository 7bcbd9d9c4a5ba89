// Fuzz target: every option that is a duration, with values from −∞ to +∞, NaN, 2^31 ± 1 (the host
// timer limit) and 8.64e15 ± 1 (the Date range). Expected: NaN and negatives give
// InvalidOptionsError; Infinity means "never" where the option allows it and is refused elsewhere;
// finite values of any size are accepted and wait that long; a deadline outside the Date range
// gives InvalidInputError.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentContext, AgentCoordinationPrimitive, defineAgent } from '@tta/agent-context';
import {
  BrokenCircuitError,
  CircuitBreakerPrimitive,
  CompensationPrimitive,
  InMemoryCircuitStateStore,
  InvalidInputError,
  InvalidOptionsError,
  TokenBucketLimiter,
  WorkflowContext,
  batch,
  cache,
  hedge,
  rateLimit,
  retry,
  step,
  timeout,
} from '@tta/primitives';
import { sleep } from '@tta/primitives/instrumentation';
import { ManualClock } from '@tta/primitives/testing';
import { RedisCircuitStateStore, RedisHandoffQueue, RedisLease, RedisMailbox, RedisRateLimiter, RedisSharedState, createRedisConnection } from '@tta/redis';
import { record, tally } from './figures.js';

const seed = Number(process.env['TTA_FUZZ_SEED'] ?? 20_261_207);

// Option checks send no command: a client that points nowhere (port 1) is enough.
const client = createRedisConnection({ host: '127.0.0.1', port: 1 });
afterAll(() => client.disconnect());

/** The edges every option is tried with, on top of random doubles. */
const edges = [
  -Infinity,
  -8.64e15 - 1,
  -1,
  -Number.MIN_VALUE,
  -0,
  0,
  Number.MIN_VALUE,
  0.5,
  1,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 31 + 1,
  8.64e15 - 1,
  8.64e15,
  8.64e15 + 1,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 1,
  Number.MAX_VALUE,
  Infinity,
  Number.NaN,
];
const anyDuration = fc.oneof(fc.constantFrom(...edges), fc.double(), fc.integer({ min: -1_000_000, max: 1_000_000 }));

type Outcome = 'accepted' | 'InvalidOptionsError' | 'InvalidInputError';

interface DurationRule {
  readonly positive?: boolean;
  readonly infinity?: boolean;
  readonly integer?: boolean;
}

/** What the shared rule says about `value`. */
function expected(rule: DurationRule, value: number): Outcome {
  if (Number.isNaN(value)) return 'InvalidOptionsError';
  if (rule.integer === true) return Number.isSafeInteger(value) && value >= (rule.positive === true ? 1 : 0) ? 'accepted' : 'InvalidOptionsError';
  if (rule.positive === true ? !(value > 0) : !(value >= 0)) return 'InvalidOptionsError';
  if (value === Infinity && rule.infinity !== true) return 'InvalidOptionsError';
  return 'accepted';
}

/** Runs `use` and names its outcome; anything but the two typed errors fails the test. */
async function outcomeOf(use: () => unknown): Promise<Outcome> {
  try {
    await use();
    return 'accepted';
  } catch (error) {
    if (InvalidOptionsError.isInstance(error)) return 'InvalidOptionsError';
    if (InvalidInputError.isInstance(error)) return 'InvalidInputError';
    throw error;
  }
}

const ok = step('ok', (value: number) => value);
const agent = defineAgent({ id: 'a', role: 'worker' }, step('work', () => 1));

/** Every duration option: how to use it with a value, and its rule. */
const options: ReadonlyArray<readonly [string, DurationRule, (value: number) => unknown]> = [
  ['TimeoutPrimitive.timeoutMs', { positive: true, infinity: true }, (value) => timeout(ok, { timeoutMs: value })],
  ['RetryPrimitive.initialDelayMs', {}, (value) => retry(ok, { initialDelayMs: value, maxDelayMs: Number.MAX_VALUE })],
  ['RetryPrimitive.maxDelayMs', {}, (value) => retry(ok, { initialDelayMs: 0, maxDelayMs: value })],
  ['RetryPrimitive.maxRetryAfterMs', {}, (value) => retry(ok, { maxRetryAfterMs: value })],
  ['CircuitBreakerPrimitive.breakDurationMs', { positive: true }, (value) => new CircuitBreakerPrimitive(ok, { breakDurationMs: value })],
  ['CircuitBreakerPrimitive.windowMs', { positive: true }, (value) => new CircuitBreakerPrimitive(ok, { failureRatio: 0.5, windowMs: value })],
  ['CircuitBreakerPrimitive.refreshMs', { positive: true }, (value) => new CircuitBreakerPrimitive(ok, { store: new InMemoryCircuitStateStore(), refreshMs: value })],
  ['RateLimitPrimitive.intervalMs', { positive: true }, (value) => rateLimit(ok, { tokensPerInterval: 1, intervalMs: value })],
  ['RateLimitPrimitive.maxWaitMs', { infinity: true }, (value) => rateLimit(ok, { tokensPerInterval: 1, intervalMs: 1_000, maxWaitMs: value })],
  ['TokenBucketLimiter.intervalMs', { positive: true }, (value) => new TokenBucketLimiter({ tokensPerInterval: 1, intervalMs: value })],
  ['HedgePrimitive.delayMs', {}, (value) => hedge(ok, { delayMs: value })],
  ['BatchPrimitive.maxWaitMs', {}, (value) => batch(step('many', (inputs: number[]) => inputs), { maxBatchSize: 2, maxWaitMs: value })],
  ['CachePrimitive.ttlMs', { positive: true, infinity: true }, (value) => cache(ok, { ttlMs: value })],
  ['CachePrimitive.staleWhileRevalidateMs', { infinity: true }, (value) => cache(ok, { staleWhileRevalidateMs: value })],
  ['CompensationPrimitive.undoTimeoutMs', { positive: true, infinity: true }, (value) => new CompensationPrimitive({ steps: [{ step: ok, undo: step('undo', () => undefined) }], undoTimeoutMs: value })],
  ['WorkflowContext.timeoutMs', { infinity: true }, (value) => WorkflowContext.create({ timeoutMs: value })],
  ['AgentCoordinationPrimitive.timeoutMs', { positive: true, infinity: true }, (value) => new AgentCoordinationPrimitive({ strategy: 'aggregate', agents: [agent], timeoutMs: value })],
  ['RedisLease.ttlMs', { integer: true, positive: true }, (value) => new RedisLease({ connection: client, resource: 'r', ttlMs: value })],
  ['RedisLease.retryDelayMs', {}, (value) => new RedisLease({ connection: client, resource: 'r', retryDelayMs: value })],
  // Checked before any command, so the lazy client never connects.
  ['RedisLease.acquire waitMs (NaN and negatives only)', { infinity: true }, (value) => (value >= 0 ? undefined : new RedisLease({ connection: client, resource: 'r' }).acquire({ waitMs: value }))],
  ['RedisHandoffQueue.retryDelayMs', {}, (value) => new RedisHandoffQueue({ connection: client, retryDelayMs: value })],
  ['RedisHandoffQueue.lockDurationMs', { integer: true, positive: true }, (value) => new RedisHandoffQueue({ connection: client, lockDurationMs: value })],
  ['RedisCircuitStateStore.ttlMs', { integer: true }, (value) => new RedisCircuitStateStore({ connection: client, ttlMs: value })],
  ['RedisMailbox.inboxTtlMs', { integer: true }, (value) => new RedisMailbox({ connection: client, inboxTtlMs: value })],
  ['RedisSharedState.expiryGraceMs', { integer: true }, (value) => new RedisSharedState({ connection: client, expiryGraceMs: value })],
  ['RedisRateLimiter.intervalMs', { positive: true }, (value) => new RedisRateLimiter({ connection: client, tokensPerInterval: 1, intervalMs: value })],
];

describe('fuzz: every duration option follows one rule', () => {
  for (const [name, rule, use] of options) {
    it(`${name}: NaN and negatives give InvalidOptionsError, Infinity only where it means never, any finite size is accepted`, async () => {
      for (const value of edges) expect([value, await outcomeOf(() => use(value))]).toEqual([value, expected(rule, value)]);
      let tried = edges.length;
      await fc.assert(
        fc.asyncProperty(anyDuration, async (value) => {
          tried++;
          expect(await outcomeOf(() => use(value))).toBe(expected(rule, value));
        }),
        { numRuns: 150, seed },
      );
      tally('durationValuesTried', tried);
    });
  }

  it('WorkflowContext deadline (and a child deadline): outside the Date range is InvalidInputError, NaN InvalidOptionsError, Infinity is no deadline', async () => {
    const expectedDeadline = (value: number): Outcome =>
      Number.isNaN(value) ? 'InvalidOptionsError' : value === Infinity || Math.abs(value) <= 8.64e15 ? 'accepted' : 'InvalidInputError';
    const parent = WorkflowContext.create();
    const check = async (value: number): Promise<void> => {
      expect([value, await outcomeOf(() => WorkflowContext.create({ deadline: value }))]).toEqual([value, expectedDeadline(value)]);
      expect([value, await outcomeOf(() => parent.child({ deadline: value }))]).toEqual([value, expectedDeadline(value)]);
    };
    for (const value of edges) await check(value);
    await fc.assert(fc.asyncProperty(anyDuration, check), { numRuns: 300, seed });
  });
});

/** Finite values where `value - 1` is exact, so "not yet at value − 1, done at value" is checkable. */
const exactDuration = fc.oneof(fc.constantFrom(1, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 8.64e15 - 1, 8.64e15, 8.64e15 + 1, Number.MAX_SAFE_INTEGER), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }));

/**
 * Starts a timed use of `value` on a manual clock and checks that it has not happened one
 * millisecond before `value` and has happened at `value`.
 */
async function waitsExactly(value: number, start: (clock: ManualClock) => () => boolean, slackMs = 0): Promise<void> {
  const clock = new ManualClock(0);
  const happened = start(clock);
  const early = Math.max(0, value - 1 - slackMs);
  await clock.tickAsync(early);
  expect([value, 'early', happened()]).toEqual([value, 'early', false]);
  await clock.tickAsync(value + slackMs - early);
  expect([value, 'on time', happened()]).toEqual([value, 'on time', true]);
}

const pending = (): Promise<number> => new Promise<number>(() => {});

describe('fuzz: any finite duration waits that long', () => {
  const runs = { numRuns: 25, seed };
  const timed: ReadonlyArray<readonly [string, (value: number) => Promise<void>]> = [
    [
      'TimeoutPrimitive.timeoutMs',
      (value) =>
        waitsExactly(value, (clock) => {
          let done = false;
          timeout(step('never', pending), { timeoutMs: value, clock })
            .execute(WorkflowContext.create({ clock }), 1)
            .catch(() => (done = true));
          return () => done;
        }),
    ],
    [
      'WorkflowContext.timeoutMs',
      (value) =>
        waitsExactly(value, (clock) => {
          const context = WorkflowContext.create({ clock, timeoutMs: value });
          step('long', (_: void, ctx) => sleep(Infinity, ctx.signal, clock))
            .execute(context, undefined)
            .catch(() => {});
          return () => context.aborted;
        }),
    ],
    [
      'RetryPrimitive.initialDelayMs',
      (value) =>
        waitsExactly(value, (clock) => {
          let tries = 0;
          retry(
            step('flaky', () => {
              if (++tries === 1) throw new Error('once');
              return 1;
            }),
            { initialDelayMs: value, maxDelayMs: value, backoff: 'constant', jitter: 'none', maxAttempts: 2, clock },
          )
            .execute(WorkflowContext.create({ clock }), undefined)
            .catch(() => {});
          return () => tries === 2;
        }),
    ],
    [
      'HedgePrimitive.delayMs',
      (value) =>
        waitsExactly(value, (clock) => {
          let attempts = 0;
          hedge(
            step('attempt', () => (attempts++, pending())),
            { delayMs: value, clock },
          )
            .execute(WorkflowContext.create({ clock }), 1)
            .catch(() => {});
          return () => attempts === 2;
        }),
    ],
    [
      'BatchPrimitive.maxWaitMs',
      (value) =>
        waitsExactly(value, (clock) => {
          let sent = false;
          batch(
            step('many', (inputs: number[]) => ((sent = true), inputs)),
            { maxBatchSize: 2, maxWaitMs: value, clock },
          )
            .execute(WorkflowContext.create({ clock }), 1)
            .catch(() => {});
          return () => sent;
        }),
    ],
    [
      'CircuitBreakerPrimitive.breakDurationMs',
      (value) =>
        waitsExactly(value, (clock) => {
          let calls = 0;
          const breaker = new CircuitBreakerPrimitive(
            step('fails once', () => {
              if (++calls === 1) throw new Error('trip');
              return 1;
            }),
            { failureThreshold: 1, breakDurationMs: value, clock },
          );
          const context = WorkflowContext.create({ clock });
          breaker.execute(context, 1).catch(() => {});
          // Probing is the check: a call lets the breaker half-open once the break is over.
          return () => {
            let closed = false;
            breaker.execute(context, 1).then(
              () => (closed = true),
              (error: unknown) => expect(BrokenCircuitError.isInstance(error)).toBe(true),
            );
            return calls === 2 || closed;
          };
        }),
    ],
    [
      'CachePrimitive.ttlMs',
      (value) =>
        waitsExactly(value, (clock) => {
          let computed = 0;
          const cached = cache(
            step('compute', (input: number) => (computed++, input)),
            { ttlMs: value, clock },
          );
          const context = WorkflowContext.create({ clock });
          void cached.execute(context, 1);
          return () => {
            void cached.execute(context, 1);
            return computed === 2;
          };
        }),
    ],
    [
      'AgentCoordinationPrimitive.timeoutMs',
      (value) =>
        waitsExactly(value, (clock) => {
          let statuses: string[] = [];
          const slow = defineAgent({ id: 'slow', role: 'worker' }, step('slow', pending));
          // A quick agent too: with every agent failed, aggregate rejects instead of reporting.
          const quick = defineAgent({ id: 'quick', role: 'worker' }, step('quick', () => 1));
          new AgentCoordinationPrimitive({ strategy: 'aggregate', agents: [quick, slow], timeoutMs: value, clock })
            .execute(AgentContext.create({ workflow: WorkflowContext.create({ clock }), agent: { id: 'lead', role: 'coordinator' } }), 1)
            .then((result) => (statuses = result.outcomes.map((outcome) => outcome.status)), () => {});
          return () => statuses.includes('timed-out');
        }),
    ],
  ];
  for (const [name, check] of timed) {
    it(`${name}: a value of any size (up to 2^53) fires neither early nor late`, async () => {
      let tried = 0;
      await fc.assert(
        fc.asyncProperty(exactDuration, async (value) => {
          tried++;
          await check(value);
        }),
        runs,
      );
      tally('durationWaitsChecked', tried);
    });
  }

  it('RateLimitPrimitive.intervalMs: the second caller waits one interval of any size (to within 2 ms)', async () => {
    await fc.assert(
      fc.asyncProperty(exactDuration, async (value) => {
        // The refill rate is 1 / value per ms: near 2^53 ms its float rounding is worth a millisecond
        // or two either way.
        await waitsExactly(
          value,
          (clock) => {
            let passed = 0;
            const limited = rateLimit(
              step('call', (input: number) => (passed++, input)),
              { tokensPerInterval: 1, intervalMs: value, clock },
            );
            void limited.execute(WorkflowContext.create({ clock }), 1);
            void limited.execute(WorkflowContext.create({ clock }), 2);
            return () => passed === 2;
          },
          2,
        );
      }),
      runs,
    );
    record('durationFuzzSeed', seed);
  });
});
