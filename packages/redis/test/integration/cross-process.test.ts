// Separate Node processes that share one redis-server: a cache, a compare-and-set, messages, and a
// BullMQ queue of 1,000 workflow jobs between three workers, one of which is killed mid-run.
// The processes import the built package (dist): the root `pnpm test` builds it first.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWorkflowQueue, enqueueWorkflow } from '../../src/index.js';
import { runRedisSuites } from '../../src/test-support/redis-server.js';
import { useRedisServer } from '../../src/test-support/use-redis.js';

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const agentScript = join(packageRoot, 'test/fixtures/node-agent.mjs');

/** Fails with a clear message when dist is missing; warns loudly when it is older than the sources. */
function assertBuilt(): void {
  const dist = join(packageRoot, 'dist/index.js');
  if (!existsSync(dist)) {
    throw new Error('@tta/redis is not built: run `pnpm --filter @tta/redis... build` (the root `pnpm test` does it) before the cross-process tests');
  }
  const builtAt = statSync(dist).mtimeMs;
  const sources = readdirSync(join(packageRoot, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
  const stale = sources.filter((file) => statSync(file).mtimeMs > builtAt);
  if (stale.length > 0) {
    console.warn(`\n!!! @tta/redis dist is older than ${stale[0]}: the child processes run the old build. Rebuild with \`pnpm --filter @tta/redis build\`.\n`);
  }
}

interface AgentProcess {
  readonly child: ChildProcess;
  /** Resolves with the first stdout event of this kind. */
  next(event: string): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or signal). */
  readonly exited: Promise<number | string>;
}

const running = new Set<ChildProcess>();

function startAgent(role: string, config: Record<string, unknown>): AgentProcess {
  const child = spawn(process.execPath, [agentScript, role, JSON.stringify(config)], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const events: Record<string, unknown>[] = [];
  const waiters: { event: string; resolve: (value: Record<string, unknown>) => void; reject: (error: Error) => void }[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    events.push(parsed);
    for (const waiter of [...waiters]) {
      if (waiter.event === parsed.event) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(parsed);
      } else if (parsed.event === 'error') {
        waiter.reject(new Error(`${role} failed: ${String(parsed.message)}`));
      }
    }
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      for (const waiter of waiters.splice(0)) waiter.reject(new Error(`${role} exited (${code ?? signal}) before "${waiter.event}": ${stderr}`));
      resolve(code ?? signal ?? -1);
    }),
  );
  return {
    child,
    exited,
    next(event) {
      const seen = events.find((candidate) => candidate.event === event);
      if (seen !== undefined) return Promise.resolve(seen);
      const error = events.find((candidate) => candidate.event === 'error');
      if (error !== undefined) return Promise.reject(new Error(`${role} failed: ${String(error.message)}`));
      return new Promise((resolve, reject) => waiters.push({ event, resolve, reject }));
    },
  };
}

describe.skipIf(!runRedisSuites)('@tta/redis across Node processes', () => {
  const redis = useRedisServer();
  beforeAll(() => assertBuilt());
  afterAll(() => {
    for (const child of running) child.kill('SIGKILL');
  });

  it('shares a cache: the second process gets a hit on what the first computed', async () => {
    const prefix = redis.uniquePrefix('cache');
    const first = startAgent('cache', { connection: redis.connection, prefix, name: 'first' });
    const firstResult = await first.next('result');
    expect(await first.exited).toBe(0);
    const second = startAgent('cache', { connection: redis.connection, prefix, name: 'second' });
    const secondResult = await second.next('result');
    expect(await second.exited).toBe(0);
    expect(firstResult.stats).toMatchObject({ hits: 0, misses: 1 });
    expect(secondResult.stats).toMatchObject({ hits: 1, misses: 0 });
    expect(secondResult.output).toEqual({ answer: 15, by: 'first' });
    expect(await redis.client.get(`${prefix}test:{t}:computations`)).toBe('1');
  });

  it('lets exactly one of two processes win a compare-and-set race', async () => {
    const prefix = redis.uniquePrefix('cas');
    const config = { connection: redis.connection, prefix, processes: 2, attempts: 25 };
    const agents = [startAgent('cas', { ...config, name: 'left' }), startAgent('cas', { ...config, name: 'right' })];
    const results = await Promise.all(agents.map((agent) => agent.next('result')));
    expect(results.reduce((sum, result) => sum + Number(result.wins), 0)).toBe(1);
    expect(results.reduce((sum, result) => sum + Number(result.conflicts), 0)).toBe(49);
  });

  it('exchanges published and direct messages between two processes', async () => {
    const prefix = redis.uniquePrefix('messages');
    const listener = startAgent('listener', { connection: redis.connection, prefix });
    await listener.next('ready');
    const talker = startAgent('talker', { connection: redis.connection, prefix });
    const { reply } = (await talker.next('result')) as { reply: Record<string, unknown> };
    expect(reply).toMatchObject({
      type: 'reply',
      from: 'agent-a',
      to: 'agent-b',
      correlationId: 'run-42',
      payload: { announcement: 'hello everyone', direct: [{ task: 'review #42' }] },
    });
    expect(await listener.next('result')).toMatchObject({ received: 1 });
  });

  it('runs 1,000 workflow jobs on three worker processes, each exactly once, surviving a killed worker', async () => {
    const prefix = redis.uniquePrefix('pool');
    const key = (name: string): string => `${prefix}test:{t}:${name}`;
    const common = { connection: redis.connection, prefix, queueName: 'jobs', workMs: 2, lockDurationMs: 1_500, stalledIntervalMs: 500 };
    const workers = [
      startAgent('worker', { ...common, name: 'steady-1', concurrency: 8 }),
      startAgent('worker', { ...common, name: 'steady-2', concurrency: 8 }),
      startAgent('worker', { ...common, name: 'doomed', concurrency: 4, hangAfter: 30 }),
    ];
    await Promise.all(workers.map((worker) => worker.next('ready')));

    const queue = createWorkflowQueue({ connection: redis.client, prefix, queueName: 'jobs' });
    const parentSpanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
    const started = performance.now();
    for (let offset = 0; offset < 1_000; offset += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, index) => offset + index).map((i) =>
          enqueueWorkflow(queue, 'record', { i }, { jobId: `job-${i}`, correlationId: `run-${i}`, parentSpanContext }),
        ),
      );
    }

    // The doomed worker wedges with all its slots busy; then it is killed outright.
    await vi.waitFor(async () => expect(Number(await redis.client.get(key('hung:doomed')))).toBe(4), { timeout: 20_000, interval: 20 });
    workers[2]!.child.kill('SIGKILL');
    expect(await workers[2]!.exited).toBe('SIGKILL');

    await vi.waitFor(async () => expect(await redis.client.hlen(key('done'))).toBe(1_000), { timeout: 30_000, interval: 50 });
    await vi.waitFor(async () => expect(await queue.getCompletedCount()).toBe(1_000), { timeout: 10_000, interval: 50 });
    const elapsedMs = performance.now() - started;

    const done = await redis.client.hgetall(key('done'));
    expect(Object.values(done).every((count) => count === '1')).toBe(true);
    const who = await redis.client.hgetall(key('who'));
    const byWorker = Object.values(who).reduce<Record<string, number>>((counts, name) => ({ ...counts, [name]: (counts[name] ?? 0) + 1 }), {});
    // Jobs already past the hang check when the 30th completed still finish there.
    expect(byWorker.doomed).toBeGreaterThanOrEqual(30);
    expect(byWorker.doomed! + (byWorker['steady-1'] ?? 0) + (byWorker['steady-2'] ?? 0)).toBe(1_000);
    // The jobs the killed worker held were recovered (stalled) and finished by the others.
    const hung = await redis.client.smembers(key('hung-jobs'));
    expect(hung).toHaveLength(4);
    for (const jobId of hung) expect(who[jobId]).toMatch(/^steady-/);
    // Correlation id and trace parent crossed the queue.
    const contexts = await redis.client.hgetall(key('context'));
    expect(contexts['job-7']).toBe(`run-7|${parentSpanContext.traceId}`);
    expect(Object.values(contexts).every((value) => value.endsWith(parentSpanContext.traceId))).toBe(true);
    const job = await queue.getJob('job-9');
    expect(job?.returnvalue).toMatchObject({ square: 81 });
    console.log(`1,000 jobs on 3 worker processes (one killed): ${Math.round(elapsedMs)} ms, by worker ${JSON.stringify(byWorker)}`);

    for (const worker of workers.slice(0, 2)) worker.child.kill('SIGTERM');
    await Promise.all(workers.slice(0, 2).map((worker) => worker.exited));
    await queue.close();
    // BullMQ's keys live under the prefix too.
    const keys = await redis.keysWithPrefix(prefix);
    expect(keys.length).toBeGreaterThan(0);
    expect(await redis.client.exists(`${prefix}bull:{jobs}:jobs:meta`)).toBe(1);
  }, 60_000);
});
