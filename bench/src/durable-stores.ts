// What journaling costs per step, per run store: the latency of one `appendStep` (fsynced for
// FileRunStore, acknowledged for RedisRunStore), a raw floor for each (fsync of one line; one RPUSH),
// and the added time per step of a durable 10-step run over the same workflow run plainly.
//   node dist/durable-stores.js [--records N] [--runs N] [--no-write]
// Needs `redis-server` on the PATH for the Redis rows (skipped, and said so, without it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SequentialPrimitive, step, WorkflowContext, type WorkflowPrimitive } from '@tta/primitives';
import { durable, FileRunStore, MemoryRunStore, type RunStore, type StepRecord } from '@tta/durable';
import { RedisRunStore } from '@tta/redis/durable';
import { Redis } from 'ioredis';

const argv = process.argv.slice(2);
const option = (flag: string, fallback: number): number => {
  const index = argv.indexOf(flag);
  return index === -1 ? fallback : Number(argv[index + 1]);
};
const recordCount = option('--records', 1_000);
const runCount = option('--runs', 200);
const write = !argv.includes('--no-write');

interface Row {
  readonly name: string;
  readonly samples: number[];
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
const formatMs = (ms: number): string => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1_000).toFixed(1)} µs`);

function summarise(row: Row): string {
  const sorted = [...row.samples].sort((left, right) => left - right);
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return `| ${row.name} | ${formatMs(percentile(sorted, 50))} | ${formatMs(percentile(sorted, 99))} | ${formatMs(mean)} | ${sorted.length} |`;
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

const output = { summary: 'a short model answer of about two hundred bytes, as a step of an agent workflow returns it'.repeat(2) };
const record = (index: number): StepRecord => ({ path: `step#${index}`, name: 'step', kind: 'step', status: 'completed', output, startedAt: index, endedAt: index });

/**
 * `appendStep` latency on one run with one lease, `recordCount` records; with a `raw` floor, the two
 * are sampled alternately, so both see the same disk and server conditions (an fsync on a shared
 * machine varies tenfold from one minute to the next).
 */
async function appendLatency(name: string, store: RunStore, raw?: { readonly name: string; readonly append: () => Promise<unknown> }): Promise<Row[]> {
  const runId = `bench-append-${Date.now()}-${Math.random()}`;
  await store.createRun({ runId, name: 'bench', fingerprint: 'f', createdAt: Date.now(), input: null });
  const token = (await store.acquireLease(runId, 'bench', 600_000))!;
  for (let index = 0; index < 20; index++) await store.appendStep(runId, token, record(-index));
  const samples: number[] = [];
  const rawSamples: number[] = [];
  for (let index = 0; index < recordCount; index++) {
    if (raw !== undefined) rawSamples.push(await timed(raw.append));
    samples.push(await timed(() => store.appendStep(runId, token, record(index))));
  }
  await store.deleteRun(runId);
  return raw === undefined ? [{ name, samples }] : [{ name: raw.name, samples: rawSamples }, { name, samples }];
}

/** The floor of FileRunStore: open, append one line, fdatasync, close. */
function rawFsync(directory: string): { readonly name: string; readonly append: () => Promise<unknown> } {
  const file = join(directory, 'raw.jsonl');
  const line = `${JSON.stringify(record(0))}\n`;
  return {
    name: 'raw: open + append + fdatasync + close',
    append: async () => {
      const handle = await open(file, 'a');
      await handle.write(line);
      await handle.datasync();
      await handle.close();
    },
  };
}

/** The floor of RedisRunStore: one RPUSH round trip. */
function rawRpush(client: Redis): { readonly name: string; readonly append: () => Promise<unknown> } {
  const line = JSON.stringify(record(0));
  return { name: 'raw: RPUSH round trip', append: () => client.rpush('bench:raw', line) };
}

const tenSteps = (): WorkflowPrimitive<number, number> =>
  new SequentialPrimitive<number, number>(Array.from({ length: 10 }, (_, index) => step(`s${index}`, async (value: number) => value + 1)), { name: 'ten-steps' });

/** Added time per step of a durable run: (durable 10-step run - plain 10-step run) / 10, per run. */
async function durableOverhead(name: string, store: RunStore): Promise<Row> {
  const workflow = tenSteps();
  const context = new WorkflowContext({ correlationId: 'bench' });
  const flow = durable(workflow, { name: `bench-${name}`, store });
  const plain: number[] = [];
  const journaled: number[] = [];
  for (let index = 0; index < 10; index++) await flow.start(0);
  for (let index = 0; index < runCount; index++) {
    plain.push(await timed(() => workflow.execute(context, 0)));
    journaled.push(await timed(() => flow.start(0)));
  }
  plain.sort((left, right) => left - right);
  const plainMedian = percentile(plain, 50);
  return { name: `${name}: per step of a durable 10-step run`, samples: journaled.map((ms) => (ms - plainMedian) / 10) };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startRedis(directory: string): Promise<{ child: ChildProcess; port: number } | undefined> {
  if (spawnSync('redis-server', ['--version']).status !== 0) return undefined;
  const port = await freePort();
  // AOF with fsync every second: the durability a production Redis for durable runs should have.
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--dir', directory], { stdio: 'ignore' });
  const probe = new Redis({ port, lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: null });
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await probe.connect();
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  await probe.ping();
  probe.disconnect();
  return { child, port };
}

async function main(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'tta-bench-durable-'));
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    rows.push(...(await appendLatency('MemoryRunStore.appendStep', new MemoryRunStore())));
    const file = new FileRunStore({ dir: join(directory, 'file') });
    rows.push(...(await appendLatency('FileRunStore.appendStep (fsync per record)', file, rawFsync(directory))));
    const redis = await startRedis(join(directory));
    if (redis === undefined) {
      notes.push('redis-server is not installed: the Redis rows are missing.');
    } else {
      const client = new Redis({ port: redis.port });
      const store = new RedisRunStore({ connection: client, prefix: 'bench:' });
      rows.push(...(await appendLatency('RedisRunStore.appendStep (Lua, AOF everysec)', store, rawRpush(client))));
      await client.del('bench:raw');
      rows.push(await durableOverhead('MemoryRunStore', new MemoryRunStore()));
      rows.push(await durableOverhead('FileRunStore', new FileRunStore({ dir: join(directory, 'engine') })));
      rows.push(await durableOverhead('RedisRunStore', store));
      client.disconnect();
      redis.child.kill('SIGKILL');
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  const table = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.versions.node}, ${recordCount} appends of a ~250-byte record per store, ${runCount} runs per engine row; the file system is the machine's \`${tmpdir()}\`.`,
    '',
    '| what | p50 | p99 | mean | samples |',
    '|---|---|---|---|---|',
    ...rows.map(summarise),
    ...notes.map((note) => `\n${note}`),
  ].join('\n');
  console.log(table);
  if (!write) return;
  const documentPath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'benchmarks.md');
  const start = '<!-- durable-stores:start (written by `pnpm --filter @tta/bench bench:durable`) -->';
  const end = '<!-- durable-stores:end -->';
  const document = readFileSync(documentPath, 'utf8');
  const section = `${start}\n${table}\n${end}`;
  const updated = document.includes(start)
    ? document.replace(new RegExp(`${start.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\s\\S]*?${end}`), section)
    : `${document.trimEnd()}\n\n## Durable runs: journal overhead per step\n\n${section}\n`;
  writeFileSync(documentPath, updated);
}

await main();
