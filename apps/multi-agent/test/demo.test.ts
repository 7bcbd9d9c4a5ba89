// What `pnpm demo` runs: the built demo, as a user runs it, offline (built by global-setup.ts).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const entry = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const offline = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OPENAI_') && key !== 'TTA_MODEL_PROVIDER'));

describe('multi-agent demo (node dist/main.js)', () => {
  it('completes offline in well under a minute and prints the answer and the per-agent summary', () => {
    const started = performance.now();
    const run = spawnSync(process.execPath, [entry], { cwd: root, env: offline, encoding: 'utf8', timeout: 60_000 });
    const seconds = (performance.now() - started) / 1000;
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(seconds).toBeLessThan(30);
    const output = run.stdout;
    expect(output).toContain('model: simulated sim-large, seed 7');
    expect(output).toMatch(/\] planner\s+working: splitting the question/);
    const answer = output.slice(output.indexOf('== Answer ==') + '== Answer =='.length, output.indexOf('== Plan ==')).trim();
    expect(answer).toMatch(/^\[simulated\] To answer "How should a team make its LLM features reliable in production\?"/);
    expect(answer).toMatch(/\n1\. Use .+\./);
    const summary = output.slice(output.indexOf('== Summary =='));
    expect(summary).toMatch(/agent\s+calls\s+model\s+retries\s+fallbacks\s+timeouts\s+cache hits\s+p50 ms\s+p95 ms\s+tokens\s+cost \$/);
    for (const agent of ['planner', 'researcher-1', 'researcher-2', 'researcher-3', 'critic-accuracy', 'critic-completeness', 'critic-risk', 'writer', 'total']) {
      expect(summary).toMatch(new RegExp(`\\n${agent}\\s+\\d+\\s+\\d+`));
    }
    expect(output).toMatch(/handoffs: planner -> research-lead -> review-panel -> writer/);
  });

  it('gives the same plan and answer for the same seed', () => {
    const answerOf = () => {
      const output = spawnSync(process.execPath, [entry, '--seed', '21', '--failure-rate', '0.2'], { cwd: root, env: offline, encoding: 'utf8', timeout: 60_000 }).stdout;
      return output.slice(output.indexOf('== Answer =='), output.indexOf('== Review'));
    };
    const first = answerOf();
    expect(first).toContain('[simulated]');
    expect(answerOf()).toBe(first);
  });
});
