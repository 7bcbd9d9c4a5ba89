// FileRunStore across real Node processes: a writer SIGKILLed in the middle of its appends, racers
// for one lease, and a dead owner's lease taken over. The processes import the built package (dist).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileRunStore } from '../src/index.js';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const agentScript = join(packageRoot, 'test/fixtures/file-store-agent.mjs');
const running = new Set<ChildProcess>();
let root = '';

interface Agent {
  readonly child: ChildProcess;
  next(event: string, where?: (payload: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  readonly exited: Promise<number | string>;
}

function startAgent(role: string, config: Record<string, unknown>): Agent {
  const child = spawn(process.execPath, [agentScript, role, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const events: Record<string, unknown>[] = [];
  const waiters: { event: string; where: (payload: Record<string, unknown>) => boolean; resolve: (value: Record<string, unknown>) => void }[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      // A line cut short by the SIGKILL of its writer.
      return;
    }
    events.push(parsed);
    for (const waiter of [...waiters]) {
      if (waiter.event !== parsed.event || !waiter.where(parsed)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(parsed);
    }
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => {
    running.delete(child);
    if (code !== 0 && code !== null) console.error(`${role} exited ${code}: ${stderr}`);
    resolve(code ?? signal ?? -1);
  }));
  return {
    child,
    exited,
    next(event, where = () => true) {
      const seen = events.find((candidate) => candidate.event === event && where(candidate));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ event, where, resolve });
        void exited.then(() => reject(new Error(`${role} exited before "${event}": ${stderr}`)));
      });
    },
  };
}

const header = (runId: string) => ({ runId, name: 'crash', fingerprint: 'f', createdAt: Date.now(), input: null });
const journalOf = async (dir: string): Promise<string> => {
  const [directory] = await readdir(join(dir, 'runs'));
  return join(dir, 'runs', directory!, 'journal.jsonl');
};

describe('FileRunStore', () => {
  beforeAll(async () => {
    if (!existsSync(join(packageRoot, 'dist/index.js'))) throw new Error('@tta/durable is not built: run `pnpm --filter @tta/durable build` before the process tests');
    root = await mkdtemp(join(tmpdir(), 'tta-file-run-processes-'));
  });
  afterAll(async () => {
    for (const child of running) child.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  });

  it('reads a journal whose last record was cut mid-record up to its last whole record, and the next owner appends on a clean line', async () => {
    const dir = join(root, 'truncated');
    const store = new FileRunStore({ dir });
    await store.createRun(header('r1'));
    const token = (await store.acquireLease('r1', 'first', 60_000))!;
    for (let index = 0; index < 3; index++) {
      await store.appendStep('r1', token, { path: `s${index}`, name: 's', kind: 'step', status: 'completed', output: { index, text: 'ünïcødé' }, startedAt: 0, endedAt: 0 });
    }
    const journal = await journalOf(dir);
    const { size } = await stat(journal);
    await truncate(journal, size - 9);
    expect((await store.loadRun('r1'))!.steps.map((step) => step.path)).toEqual(['s0', 's1']);
    await store.releaseLease('r1', token);
    const next = (await store.acquireLease('r1', 'second', 60_000))!;
    await store.appendStep('r1', next, { path: 'after', name: 'after', kind: 'step', status: 'completed', output: 1, startedAt: 0, endedAt: 0 });
    expect((await store.loadRun('r1'))!.steps.map((step) => step.path)).toEqual(['s0', 's1', 'after']);
    const text = await readFile(journal, 'utf8');
    expect(text.split('\n').filter((line) => line.length > 0).every((line) => JSON.parse(line) !== undefined)).toBe(true);
  });

  it('keeps every whole record of a writer SIGKILLed while appending in a loop; an heir takes its lease after expiry and goes on', async () => {
    const dir = join(root, 'killed');
    const store = new FileRunStore({ dir });
    await store.createRun(header('r2'));
    const writer = startAgent('append-loop', { dir, runId: 'r2', leaseMs: 1_000, paddingBytes: 256 * 1024 });
    await writer.next('appended', (event) => Number(event.index) >= 20);
    writer.child.kill('SIGKILL');
    expect(await writer.exited).toBe('SIGKILL');
    const steps = (await store.loadRun('r2'))!.steps;
    expect(steps.length).toBeGreaterThanOrEqual(21);
    // Whole records only, in order, without a gap: a record is either all there or not at all.
    steps.forEach((step, index) => {
      expect(step.path).toBe(`step#${index}`);
      expect((step.output as { padding: string }).padding).toHaveLength(256 * 1024);
    });
    expect(await store.acquireLease('r2', 'heir', 1_000)).toBeUndefined();
    let heir: string | undefined;
    for (let attempt = 0; attempt < 100 && heir === undefined; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      heir = await store.acquireLease('r2', 'heir', 60_000);
    }
    expect(heir).toBeTypeOf('string');
    await store.appendStep('r2', heir!, { path: 'heir', name: 'heir', kind: 'step', status: 'completed', output: 'ok', startedAt: 0, endedAt: 0 });
    const after = (await store.loadRun('r2'))!.steps;
    expect(after.slice(0, steps.length)).toEqual(steps);
    expect(after.at(-1)!.path).toBe('heir');
    expect(after).toHaveLength(steps.length + 1);
  }, 30_000);

  it('gives a lease to exactly one of six processes that race for it at the same instant, round after round', async () => {
    const dir = join(root, 'race');
    const store = new FileRunStore({ dir });
    for (let round = 0; round < 3; round++) {
      const runId = `race-${round}`;
      await store.createRun(header(runId));
      const startAt = Date.now() + 700;
      const racers = Array.from({ length: 6 }, () => startAgent('race', { dir, runId, leaseMs: 60_000, startAt }));
      const results = await Promise.all(racers.map((racer) => racer.next('result')));
      await Promise.all(racers.map((racer) => racer.exited));
      expect(results.filter((result) => typeof result.token === 'string'), `round ${round}`).toHaveLength(1);
    }
  }, 30_000);

  it('takes over the lease of an owner that died, once the lease expires, and not before', async () => {
    const dir = join(root, 'takeover');
    const store = new FileRunStore({ dir });
    await store.createRun(header('r3'));
    const holder = startAgent('hold', { dir, runId: 'r3', leaseMs: 800 });
    const { token } = await holder.next('held');
    expect(token).toBeTypeOf('string');
    holder.child.kill('SIGKILL');
    await holder.exited;
    expect(await store.acquireLease('r3', 'heir', 60_000)).toBeUndefined();
    await expect(store.appendStep('r3', token as string, { path: 'x', name: 'x', kind: 'step', status: 'completed', startedAt: 0, endedAt: 0 })).resolves.toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 900));
    const heir = await store.acquireLease('r3', 'heir', 60_000);
    expect(heir).toBeTypeOf('string');
    await expect(store.appendStep('r3', token as string, { path: 'y', name: 'y', kind: 'step', status: 'completed', startedAt: 0, endedAt: 0 })).rejects.toMatchObject({ code: 'RUN_LOCKED' });
  }, 15_000);

  it('keeps every run inside its directory, whatever the run id, and creates the directory', async () => {
    const dir = join(root, 'nested', 'deeper', 'runs-dir');
    const store = new FileRunStore({ dir });
    const ids = ['../escape', '../../escape2', '/etc/passwd', 'nul\u0000x', 'C:\\windows', `${'very-long-'.repeat(100)}`];
    for (const runId of ids) expect((await store.createRun(header(runId))).created).toBe(true);
    expect(await readdir(join(root, 'nested', 'deeper'))).toEqual(['runs-dir']);
    const names = await readdir(join(dir, 'runs'));
    expect(names).toHaveLength(ids.length);
    for (const name of names) {
      expect(name).toMatch(/^[a-z0-9_%~A-F-]+$/);
      expect(name.length).toBeLessThanOrEqual(200);
    }
    for (const runId of ids) expect((await store.loadRun(runId))!.header.runId).toBe(runId);
  });

  it('does not show a run whose creation was cut short before its directory was renamed into place', async () => {
    const dir = join(root, 'staged');
    const store = new FileRunStore({ dir });
    await store.createRun(header('visible'));
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(join(dir, 'tmp', 'half-made'));
    await writeFile(join(dir, 'tmp', 'half-made', 'header.json'), '{"header":{"runId":"ghost"');
    expect((await store.listRuns()).map((run) => run.runId)).toEqual(['visible']);
    expect(await store.loadRun('ghost')).toBeUndefined();
  });
});
