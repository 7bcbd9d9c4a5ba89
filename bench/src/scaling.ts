// What scaling out costs and buys, against a local redis-server:
// - WorkerPool throughput at 1, 2 and 3 worker processes on jobs that each wait on a simulated 50 ms
//   model call (I/O-bound), and the Redis commands the server processed per job;
// - the latency one operation of each shared store adds (p50 / p99), next to a raw PING.
//   node dist/scaling.js [--jobs N] [--ops N] [--concurrency N] [--no-write]
// Writes the tables to docs/scaling.md between the `scaling-bench` markers (unless --no-write).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { step, type CircuitSnapshot } from '@tta/primitives';
import { createWorkflowQueue, enqueueWorkflow, RedisAgentMemory, RedisCacheStore, RedisCircuitStateStore, RedisLease, RedisMailbox, RedisRateLimiter, RedisSharedState, WorkerPool } from '@tta/redis';
import { Redis } from 'ioredis';

const argv = process.argv.slice(2);
const option = (flag: string, fallback: number): number => {
  const index = argv.indexOf(flag);
  return index === -1 ? fallback : Number(argv[index + 1]);
};
const modelMs = 50;

if (argv[0] === 'worker') await runWorker(Number(argv[1]), argv[2]!, Number(argv[3]));
else await main();

/** A worker process: one WorkerPool whose only workflow waits `modelMs`, as a model call would. */
async function runWorker(port: number, prefix: string, concurrency: number): Promise<void> {
  const model = step('model', async (input: number) => {
    await new Promise((resolve) => setTimeout(resolve, modelMs));
    return input;
  });
  const pool = new WorkerPool({ connection: { port }, prefix, queueName: 'scaling', workflows: { model }, concurrency });
  await pool.waitUntilReady();
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => void pool.close().then(() => process.exit(0)));
}

async function main(): Promise<void> {
  const jobs = option('--jobs', 600);
  const ops = option('--ops', 2_000);
  const concurrency = option('--concurrency', 10);
  const write = !argv.includes('--no-write');
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    console.log('redis-server is not installed: nothing to measure.');
    return;
  }
  const directory = mkdtempSync(join(tmpdir(), 'tta-scaling-'));
  const redis = await startRedis(directory);
  const client = new Redis({ port: redis.port });
  try {
    const poolRows: string[] = [];
    let single = 0;
    for (const workers of [1, 2, 3]) {
      const { jobsPerSecond, commandsPerJob } = await measurePool(client, redis.port, workers, concurrency, jobs);
      if (workers === 1) single = jobsPerSecond;
      poolRows.push(`| ${workers} | ${concurrency} | ${jobs} | ${jobsPerSecond.toFixed(0)} | ${(jobsPerSecond / single).toFixed(2)}x | ${commandsPerJob.toFixed(1)} |`);
      console.log(poolRows.at(-1));
    }
    const storeRows = await measureStores(client, redis.port, ops);
    for (const row of storeRows) console.log(row);
    const date = new Date().toISOString().slice(0, 10);
    const machine = `Node ${process.version}, ${cpus().length} vCPU (${cpus()[0]?.model.trim() ?? 'unknown'}), redis-server ${redisVersion()} on loopback, ${date}`;
    const section = [
      `Measured by \`pnpm --filter @tta/bench bench:scaling\` (${machine}); numbers drift from run to run, the ratios are what to plan with.`,
      '',
      `WorkerPool throughput, jobs that each wait on a simulated ${modelMs} ms model call (\`concurrency\` per worker process):`,
      '',
      '| worker processes | concurrency each | jobs | jobs/s | vs 1 process | Redis commands per job |',
      '|---|---|---|---|---|---|',
      ...poolRows,
      '',
      `Latency one operation of each shared store adds, sequential calls on one connection (${ops} each):`,
      '',
      '| operation | p50 | p99 | round trips |',
      '|---|---|---|---|',
      ...storeRows,
    ].join('\n');
    if (write) {
      const docs = fileURLToPath(new URL('../../docs/scaling.md', import.meta.url));
      const text = readFileSync(docs, 'utf8');
      const start = '<!-- scaling-bench:start -->';
      const end = '<!-- scaling-bench:end -->';
      if (!text.includes(start) || !text.includes(end)) throw new Error(`docs/scaling.md lacks the ${start} / ${end} markers`);
      writeFileSync(docs, `${text.slice(0, text.indexOf(start) + start.length)}\n${section}\n${text.slice(text.indexOf(end))}`);
      console.log('wrote docs/scaling.md');
    }
  } finally {
    client.disconnect();
    redis.child.kill('SIGKILL');
    rmSync(directory, { recursive: true, force: true });
  }
}

async function measurePool(client: Redis, port: number, workers: number, concurrency: number, jobs: number): Promise<{ jobsPerSecond: number; commandsPerJob: number }> {
  const prefix = `bench-${workers}:`;
  const script = fileURLToPath(import.meta.url);
  const children: ChildProcess[] = [];
  try {
    await Promise.all(
      Array.from({ length: workers }, () => {
        const child = spawn(process.execPath, [script, 'worker', String(port), prefix, String(concurrency)], { stdio: ['ignore', 'pipe', 'inherit'] });
        children.push(child);
        return new Promise<void>((resolve, reject) => {
          createInterface({ input: child.stdout! }).on('line', (line) => line === 'ready' && resolve());
          child.once('exit', (code) => reject(new Error(`a worker exited with ${code} before it was ready`)));
        });
      }),
    );
    const queue = createWorkflowQueue({ connection: { port }, prefix, queueName: 'scaling' });
    const commandsBefore = await commandsProcessed(client);
    const started = performance.now();
    for (let offset = 0; offset < jobs; offset += 100) {
      await Promise.all(Array.from({ length: Math.min(100, jobs - offset) }, (_, index) => enqueueWorkflow(queue, 'model', offset + index)));
    }
    while ((await queue.getCompletedCount()) < jobs) await new Promise((resolve) => setTimeout(resolve, 10));
    const elapsedMs = performance.now() - started;
    // The polling above and INFO itself are a few commands of the total: counted, and small.
    const commandsPerJob = ((await commandsProcessed(client)) - commandsBefore) / jobs;
    await queue.close();
    return { jobsPerSecond: (jobs * 1_000) / elapsedMs, commandsPerJob };
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
  }
}

async function measureStores(client: Redis, port: number, ops: number): Promise<string[]> {
  const connection = new Redis({ port });
  const prefix = 'bench-stores:';
  const entry = { value: { text: 'an answer of a few words' }, storedAt: Date.now(), expiresAt: Date.now() + 60_000, staleUntil: Date.now() + 60_000 };
  const cacheStore = new RedisCacheStore({ connection, prefix });
  const circuit = new RedisCircuitStateStore({ connection, prefix });
  const limiter = new RedisRateLimiter({ connection, prefix, tokensPerInterval: 1e9, intervalMs: 1_000 });
  const lease = new RedisLease({ connection, prefix, resource: 'nightly' });
  const state = new RedisSharedState({ connection, prefix });
  const memory = new RedisAgentMemory({ connection, prefix, maxEntries: 1_000 });
  const mailbox = new RedisMailbox({ connection, prefix });
  const address = { scope: 'global' as const, scopeId: '', key: 'plan' };
  await cacheStore.set('k', entry);
  await memory.store({ agentId: 'a', content: 'seed', tags: ['t'] });
  const snapshot: CircuitSnapshot = { version: 1, state: 'closed', isolated: false, consecutiveFailures: 0, window: [], savedAtMs: Date.now() };
  let counter = 0;
  const cases: [string, string, () => Promise<unknown>][] = [
    ['raw `PING` (the floor)', '1', () => connection.ping()],
    ['`RedisCacheStore.get` (hit)', '1', () => cacheStore.get('k')],
    ['`RedisCacheStore.set`', '1', () => cacheStore.set('k', entry)],
    ['`RedisCacheStore.acquireLease` + `release`', '2', async () => (await cacheStore.acquireLease(`l${counter++}`, 10_000))?.release()],
    ['`RedisCircuitStateStore.load`', '1', () => circuit.load('llm')],
    ['`RedisCircuitStateStore.save`', '1', () => circuit.save('llm', snapshot)],
    ['`RedisRateLimiter.acquire`', '1 (script)', () => limiter.acquire('api', 1)],
    ['`RedisLease.tryAcquire` + `release`', '2', async () => {
      const token = await lease.tryAcquire(10_000);
      if (token !== undefined) await lease.release(token);
    }],
    ['`RedisSharedState.get`', '1', () => state.get(address)],
    ['`RedisSharedState.set`', '1 (script)', () => state.set(address, counter++)],
    ['`RedisAgentMemory.store`', '1 (script)', () => memory.store({ agentId: 'a', content: `note ${counter++}`, tags: ['t'] })],
    ['`RedisAgentMemory.query` (one tag, 10)', '2', () => memory.query({ tags: ['t'], limit: 10 })],
    ['`RedisMailbox.send`', '1 (script)', () => mailbox.send({ type: 'task', from: 'a', to: 'b', payload: counter++ })],
    ['`RedisMailbox.receive` (1 message)', '2 (script + ack)', () => mailbox.receive('b', { limit: 1 })],
  ];
  const rows: string[] = [];
  try {
    for (const [name, trips, call] of cases) {
      for (let warm = 0; warm < 200; warm++) await call();
      const samples: number[] = [];
      for (let index = 0; index < ops; index++) {
        const started = performance.now();
        await call();
        samples.push(performance.now() - started);
      }
      samples.sort((left, right) => left - right);
      const at = (p: number): string => `${(samples[Math.min(samples.length - 1, Math.floor((samples.length * p) / 100))]! * 1_000).toFixed(0)} µs`;
      rows.push(`| ${name} | ${at(50)} | ${at(99)} | ${trips} |`);
    }
  } finally {
    await Promise.all([mailbox.close(), memory.close(), state.close()]);
    connection.disconnect();
  }
  void client;
  return rows;
}

async function commandsProcessed(client: Redis): Promise<number> {
  return Number(/total_commands_processed:(\d+)/.exec(await client.info('stats'))?.[1] ?? 0);
}

function redisVersion(): string {
  return /v=(\S+)/.exec(spawnSync('redis-server', ['--version']).stdout.toString())?.[1] ?? 'unknown';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function startRedis(directory: string): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', directory], { stdio: 'ignore' });
  // Retries every 50 ms until the server listens; the PING waits for the connection.
  const probe = new Redis({ port, retryStrategy: () => 50, maxRetriesPerRequest: null });
  probe.on('error', () => {});
  try {
    await Promise.race([probe.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('redis-server did not start within 10 s')), 10_000))]);
    return { child, port };
  } finally {
    probe.disconnect();
  }
}
