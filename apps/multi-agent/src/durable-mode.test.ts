import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

const runsDir = await mkdtemp(join(tmpdir(), 'tta-multi-agent-durable-'));
afterAll(() => rm(runsDir, { recursive: true, force: true }));

async function cli(argv: string[], isTTY: boolean) {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...argv, '--runs-dir', runsDir, '--failure-rate', '0'], { stdout: { isTTY, write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) }, env: {} });
  return { code, stdout, stderr };
}

describe('durable research team', () => {
  it('asks a person in a terminal, and a resume with --approve writes the answer without repeating the earlier steps', async () => {
    const first = await cli(['--durable'], true);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const runId = /durable run (team-[a-z0-9]+)/.exec(first.stdout)?.[1];
    expect(runId).toBeDefined();
    expect(first.stdout).toContain(`waiting for approval: run again with --resume ${runId} --approve`);
    const calls = (text: string) => Number(/model calls in this process: (\d+)/.exec(text)?.[1]);
    expect(calls(first.stdout)).toBeGreaterThan(1);

    const second = await cli(['--resume', runId!, '--approve', '--json'], false);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('completed steps answered by the journal, not called again: plan, research, review');
    // Only the writer asks the model now.
    expect(calls(second.stdout)).toBe(1);
    const result = JSON.parse(second.stdout.trim().split('\n').at(-1)!) as { answer: string; replayedSteps: string[] };
    expect(result.answer).toMatch(/^\[simulated\] To answer/);
  });
});
