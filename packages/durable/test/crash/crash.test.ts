import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// The processes import the built package (dist), as the store's process tests do.
const worker = fileURLToPath(new URL('./crash-worker.mjs', import.meta.url));
const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
if (!existsSync(join(packageRoot, 'dist/index.js'))) throw new Error('@tta/durable is not built: run `pnpm --filter @tta/durable build` before the process tests');

interface Child {
  readonly signal: NodeJS.Signals | null;
  readonly output: unknown;
}

function run(dir: string, runId: string, shape: string, action: 'start' | 'resume', crashAfter = '', value?: unknown): Child {
  const args = [worker, dir, runId, shape, action, crashAfter, ...(value === undefined ? [] : [JSON.stringify(value)])];
  const child = spawnSync(process.execPath, args, { cwd: packageRoot, encoding: 'utf8', timeout: 60_000 });
  if (child.error !== undefined) throw child.error;
  const stdout = child.stdout.trim();
  return { signal: child.signal, output: stdout === '' ? undefined : (JSON.parse(stdout) as unknown) };
}

const effectsIn = (dir: string): string[] => readFileSync(join(dir, 'effects.log'), 'utf8').trim().split('\n');

describe('durable runs across processes (FileRunStore, SIGKILL)', { timeout: 120_000 }, () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'tta-durable-crash-'));
    dirs.push(dir);
    return dir;
  };

  it('runs the step killed between its side effect and its journal write again, with the same idempotency key, and every other step once', () => {
    const dir = tempDir();
    expect(run(dir, 'r1', 'sequence', 'start', 'b').signal).toBe('SIGKILL');
    expect(run(dir, 'r1', 'sequence', 'resume').output).toEqual({ status: 'completed', runId: 'r1', output: 4 });
    expect(effectsIn(dir)).toEqual(['a r1:order/a', 'b r1:order/b', 'b r1:order/b', 'c r1:order/c']);
  });

  it('reruns only the unfinished branches of a parallel killed mid-way', () => {
    const dir = tempDir();
    expect(run(dir, 'p1', 'parallel', 'start', 'crash').signal).toBe('SIGKILL');
    // The re-delivered job: start with the same run id continues the run.
    expect(run(dir, 'p1', 'parallel', 'start').output).toEqual({ status: 'completed', runId: 'p1', output: [2, 2, 2, 2] });
    const lines = effectsIn(dir);
    expect(lines.filter((line) => line.startsWith('fast-1'))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('fast-2'))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('crash'))).toEqual(['crash p1:fan/crash', 'crash p1:fan/crash']);
    expect(lines.filter((line) => line.startsWith('slow'))).toEqual(['slow p1:fan/slow']);
  });

  it('suspends in one process and resumes with a value in another; a refused value leaves it suspended', () => {
    const dir = tempDir();
    expect(run(dir, 'h1', 'approval', 'start').output).toEqual({ status: 'suspended', runId: 'h1', waitingFor: { name: 'approval', payload: 2 } });
    expect(run(dir, 'h1', 'approval', 'resume', '', 'yes please').output).toMatchObject({ error: 'ValidationError', code: 'VALIDATION_FAILED' });
    // `pay` adds 1 to the answer (true + 1).
    expect(run(dir, 'h1', 'approval', 'resume', '', true).output).toEqual({ status: 'completed', runId: 'h1', output: 2 });
    expect(run(dir, 'h1', 'approval', 'resume', '', false).output).toMatchObject({ error: 'RunNotSuspendedError' });
    expect(effectsIn(dir)).toEqual(['quote h1:refund/quote', 'pay h1:refund/pay']);
  });
});
