import { describe, expect, it } from 'vitest';
import { AgentStats, percentile } from './agent-stats.js';
import { renderSummaryTable } from './summary-table.js';

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile(values, 0.95)).toBe(95);
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([], 0.5)).toBe(0);
  });
});

describe('renderSummaryTable', () => {
  it('prints one row per agent and a total row, columns aligned', () => {
    const planner = new AgentStats('planner', 'planner');
    planner.requests = 1;
    planner.modelCalls = 3;
    planner.retries = 2;
    planner.fallbacks = 1;
    planner.tokens = 100;
    planner.costUsd = 0.001;
    planner.latenciesMs.push(120, 80);
    const writer = new AgentStats('writer', 'writer');
    writer.requests = 2;
    writer.modelCalls = 1;
    writer.cacheHits = 1;
    writer.tokens = 50;
    writer.costUsd = 0.0005;
    writer.latenciesMs.push(10, 30);
    const lines = renderSummaryTable([planner.summary(), writer.summary()]).split('\n');
    expect(lines[0]).toMatch(/^agent\s+calls\s+model\s+retries\s+fallbacks\s+timeouts\s+cache hits\s+p50 ms\s+p95 ms\s+tokens\s+cost \$$/);
    expect(lines[2]).toMatch(/^planner\s+1\s+3\s+2\s+1\s+0\s+0\s+80\s+120\s+100\s+0\.001000$/);
    expect(lines[3]).toMatch(/^writer\s+2\s+1\s+0\s+0\s+0\s+1\s+10\s+30\s+50\s+0\.000500$/);
    expect(lines.at(-1)).toMatch(/^total\s+3\s+4\s+2\s+1\s+0\s+1\s+150\s+0\.001500$/);
    expect(new Set(lines.map((line) => line.length)).size).toBe(1);
  });
});
