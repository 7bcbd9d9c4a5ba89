// A durable workflow in a WorkerPool across processes: the worker running a job is SIGKILLed in the
// middle of a step; BullMQ hands the job to another worker process, which continues the run from
// the journal. The processes import the built packages (dist).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createWorkflowQueue, createWorkflowQueueEvents, enqueueWorkflow } from '../../src/index.js';
import { RedisRunStore } from '../../src/durable/index.js';
import { runRedisSuites } from '../../src/test-support/redis-server.js';
import { useRedisServer } from '../../src/test-support/use-redis.js';

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const workerScript = join(packageRoot, 'test/fixtures/durable-worker.mjs');
const running = new Set<ChildProcess>();

function startWorker(config: Record<string, unknown>): { child: ChildProcess; next: (event: string) => Promise<void>; exited: Promise<unknown> } {
  const child = spawn(process.execPath, [workerScript, JSON.stringify(config)], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const seen = new Set<string>();
  const waiters = new Map<string, () => void>();
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let event: string;
    try {
      event = (JSON.parse(line) as { event: string }).event;
    } catch {
      return;
    }
    seen.add(event);
    waiters.get(event)?.();
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => {
    running.delete(child);
    resolve(code ?? signal);
  }));
  return {
    child,
    exited,
    next: (event) => (seen.has(event) ? Promise.resolve() : new Promise<void>((resolve, reject) => {
      waiters.set(event, resolve);
      void exited.then(() => reject(new Error(`worker exited before "${event}": ${stderr}`)));
    })),
  };
}

describe.skipIf(!runRedisSuites)('WorkerPool with a durable workflow across processes', () => {
  const redis = useRedisServer();
  const directory = mkdtempSync(join(tmpdir(), 'tta-durable-pool-'));
  afterAll(() => {
    for (const child of running) child.kill('SIGKILL');
    rmSync(directory, { recursive: true, force: true });
  });

  it('continues a run whose worker was SIGKILLed mid-step in another worker: completed steps are not called again', async () => {
    if (!existsSync(join(packageRoot, 'dist/durable/index.js'))) throw new Error('@tta/redis is not built: run `pnpm --filter @tta/redis build` before the cross-process tests');
    const prefix = redis.uniquePrefix('durable-pool');
    const countsFile = join(directory, 'counts.txt');
    const common = { connection: redis.connection, prefix, countsFile, leaseMs: 1_000, lockDurationMs: 1_000, stalledIntervalMs: 300 };
    const doomed = startWorker({ ...common, hangInStep2: true });
    await doomed.next('ready');
    const queue = createWorkflowQueue({ connection: redis.connection, prefix, workflows: ['essay'] });
    const events = createWorkflowQueueEvents({ connection: redis.connection, prefix, workflows: ['essay'] });
    await events.waitUntilReady();
    const job = await enqueueWorkflow(queue, 'essay', 'tides', { jobId: 'essay-42' });
    await doomed.next('hanging');
    doomed.child.kill('SIGKILL');
    await doomed.exited;

    const heir = startWorker(common);
    await heir.next('ready');
    const outcome = await job.waitUntilFinished(events, 20_000);
    expect(outcome).toEqual({ status: 'completed', runId: 'essay-42', output: 'outline of tides, drafted, polished' });
    const calls = readFileSync(countsFile, 'utf8').trim().split('\n');
    // The outline ran once; the draft, running when its worker died, ran again with the same idempotency key.
    expect(calls.filter((line) => line.startsWith('outline '))).toHaveLength(1);
    const drafts = calls.filter((line) => line.startsWith('draft '));
    expect(drafts).toHaveLength(2);
    expect(new Set(drafts).size).toBe(1);
    expect(drafts[0]).toContain('essay-42');
    expect(calls.filter((line) => line.startsWith('polish '))).toHaveLength(1);
    const store = new RedisRunStore({ connection: redis.client, prefix });
    expect((await store.loadRun('essay-42'))?.status).toBe('completed');
    heir.child.kill('SIGTERM');
    await heir.exited;
    await Promise.all([events.close(), queue.close(), store.close()]);
  }, 60_000);
});
