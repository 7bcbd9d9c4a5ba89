import { describe, expect, it } from 'vitest';
import { InMemorySharedState } from '@tta/agent-context';
import { runCli } from './cli.js';
import { createProgressReporter } from './progress.js';
import { createTeamProviders } from './providers.js';
import { parsePlan, runResearchTeam, type ResearchTeamResult } from './research-team.js';

async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: { isTTY: false, write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) }, env: {} });
  return { code, stdout, stderr };
}

const total = (result: ResearchTeamResult, field: 'retries' | 'fallbacks' | 'timeouts' | 'cacheHits' | 'modelCalls' | 'requests') =>
  result.agents.reduce((sum, agent) => sum + agent[field], 0);

describe('research team', () => {
  it('survives a 50% model failure rate: the answer arrives and the summary counts retries and fallbacks', async () => {
    const { code, stdout, stderr } = await cli(['--seed', '2', '--failure-rate', '0.5', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as ResearchTeamResult;
    expect(result.answer).toMatch(/^\[simulated\] To answer "How should a team make its LLM features reliable in production\?"/);
    expect(total(result, 'retries')).toBeGreaterThan(0);
    expect(total(result, 'fallbacks')).toBeGreaterThan(0);
    expect(total(result, 'modelCalls')).toBeGreaterThan(total(result, 'requests') - total(result, 'cacheHits'));
    // The printed summary shows the same counts, and the progress lines showed them as they happened.
    const summary = stdout.slice(stdout.indexOf('== Summary =='));
    const totalRow = summary.split('\n').find((line) => line.startsWith('total'))!;
    const cells = totalRow.trim().split(/\s+/);
    expect(Number(cells[3])).toBe(total(result, 'retries'));
    expect(Number(cells[4])).toBe(total(result, 'fallbacks'));
    expect(stdout).toMatch(/\] \S+\s+retry: attempt 1 failed/);
    expect(stdout).toMatch(/\] \S+\s+fallback: .* -> sim-small/);
  });

  it('plans, researches every sub-question once, reviews by consensus and hands off in order', async () => {
    const { primary, backup } = createTeamProviders(7, 0);
    const sharedState = new InMemorySharedState();
    const events: string[] = [];
    const progress = createProgressReporter({ stream: { isTTY: false, write: (text: string) => events.push(text) } });
    const result = await runResearchTeam({ question: 'How do we ship safely?', primary, backup, progress, researchers: 2, sharedState });
    expect(result.plan.length).toBeGreaterThanOrEqual(3);
    expect(result.findings.map((finding) => finding.index)).toEqual(result.plan.map((_, index) => index));
    expect(new Set(result.findings.map((finding) => finding.by))).toEqual(new Set(['researcher-1', 'researcher-2']));
    expect(result.handoffs.map((record) => record.to)).toEqual(['planner', 'research-lead', 'review-panel', 'writer']);
    expect(result.review.supporters.length).toBeGreaterThanOrEqual(2);
    expect(result.agents.map((agent) => agent.agent)).toEqual(['planner', 'researcher-1', 'researcher-2', 'critic-accuracy', 'critic-completeness', 'critic-risk', 'writer']);
    // Every sub-question starts from the same background: one model call, the rest cache hits.
    expect(result.agents.filter((agent) => agent.role === 'researcher').reduce((sum, agent) => sum + agent.cacheHits, 0)).toBe(result.plan.length - 1);
    // The blackboard holds the plan, one claim and one finding per sub-question, the review and the answer.
    const keys = await sharedState.keys('workflow', result.correlationId);
    expect(keys).toEqual(expect.arrayContaining(['team/plan', 'team/review', 'team/answer', 'team/claim/0', 'team/finding/0']));
    expect(keys.filter((key) => key.startsWith('team/claim/'))).toHaveLength(result.plan.length);
    const answer = await sharedState.get({ scope: 'workflow', scopeId: result.correlationId, key: 'team/answer' });
    expect(answer?.value).toBe(result.answer);
    expect(answer?.updatedBy).toBe('writer');
  });

  it('sends the findings back for a revision when the critics agree on "revise"', async () => {
    const { code, stdout } = await cli(['--seed', '4', '--failure-rate', '0', '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as ResearchTeamResult;
    expect(result.review.verdict).toBe('revise');
    expect(result.findings.at(-1)?.by).toBe('reviser');
    expect(result.findings).toHaveLength(result.plan.length + 1);
    expect(stdout).toMatch(/review-panel\s+handoff: -> reviser \(conditional, completed\)/);
  });

  it('prints usage and exits 2 on a bad flag, and names the variable on a bad model configuration', async () => {
    const bad = await cli(['--failure-rate', '3']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: --failure-rate must be/);
    let stderr = '';
    const code = await runCli([], { stdout: { write: () => true }, stderr: { write: (text: string) => (stderr += text) }, env: { TTA_MODEL_PROVIDER: 'openai' } });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: OPENAI_API_KEY is not set: set OPENAI_API_KEY/);
  });
});

describe('parsePlan', () => {
  it('reads numbered lines and ignores the rest', () => {
    expect(parsePlan('[simulated] 1. First?\n2) Second?\nnoise\n3. Third?')).toEqual(['First?', 'Second?', 'Third?']);
    expect(parsePlan('no numbers here')).toEqual(['no numbers here']);
  });
});
