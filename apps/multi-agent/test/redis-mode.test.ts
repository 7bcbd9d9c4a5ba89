// `--redis`: the research phase on three worker processes coordinating through a real Redis.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const entry = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const redisBinary = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((path) => existsSync(path));
const required = process.env.TTA_REQUIRE_SERVICES === '1';

if (redisBinary === undefined) {
  const message = 'redis-server is not installed: the --redis demo test is SKIPPED (set TTA_REQUIRE_SERVICES=1 to make this a failure)';
  if (required) throw new Error(message.replace('is SKIPPED', 'cannot run'));
  console.warn(`\n!!! ${message}\n`);
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });

describe.skipIf(redisBinary === undefined)('multi-agent demo with --redis', () => {
  let redis: ChildProcess | undefined;
  let port = 0;

  beforeAll(async () => {
    port = await freePort();
    redis = spawn(redisBinary!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let attempt = 0; attempt < 100; attempt++) {
      if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG') return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('redis-server did not start');
  }, 240_000);

  afterAll(async () => {
    if (redis !== undefined && redis.exitCode === null) {
      const exited = new Promise((resolve) => redis!.once('exit', resolve));
      redis.kill('SIGTERM');
      await exited;
    }
  });

  it('runs the researchers as jobs on three worker processes and still prints the answer and the summary', async () => {
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [entry, '--redis', `redis://127.0.0.1:${port}`, '--workers', '3', '--failure-rate', '0.2', '--json'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/research-lead\s+workers: 3 worker processes ready/);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(result.answer).toMatch(/^\[simulated\] /);
    const researchers = result.agents.filter((agent: { role: string }) => agent.role === 'researcher').map((agent: { agent: string }) => agent.agent);
    expect(researchers.every((name: string) => /^researcher@w[123]$/.test(name))).toBe(true);
    expect(new Set(result.findings.map((finding: { by: string }) => finding.by)).size).toBeGreaterThanOrEqual(2);
    expect(result.findings).toHaveLength(result.plan.length);
    expect(run.stdout).toMatch(/\nresearcher@w\d\s+\d+/);
    // The findings are on the Redis blackboard under the run's correlation id; the run's queue is gone.
    const keys = spawnSync('redis-cli', ['-p', String(port), '--scan', '--pattern', '*'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    expect(keys.some((key) => key.includes(result.correlationId) && key.endsWith('team/finding/0'))).toBe(true);
    expect(keys.some((key) => key.includes(':bull:research-'))).toBe(false);
  }, 120_000);
});

describe('multi-agent demo with an unreachable --redis', () => {
  it('stops at once with one line naming the address, and exit code 1', async () => {
    const port = await freePort();
    const run = spawnSync(process.execPath, [entry, '--redis', `redis://:secret@127.0.0.1:${port}`, '--workers', '2'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^error: cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}: .+\\n$`));
    expect(run.stderr).not.toContain('secret');
  });
});
