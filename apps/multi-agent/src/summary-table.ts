import type { AgentSummary } from './agent-stats.js';

const columns: ReadonlyArray<{ readonly title: string; readonly value: (row: AgentSummary) => string; readonly left?: boolean }> = [
  { title: 'agent', value: (row) => row.agent, left: true },
  { title: 'calls', value: (row) => String(row.requests) },
  { title: 'model', value: (row) => String(row.modelCalls) },
  { title: 'retries', value: (row) => String(row.retries) },
  { title: 'fallbacks', value: (row) => String(row.fallbacks) },
  { title: 'timeouts', value: (row) => String(row.timeouts) },
  { title: 'cache hits', value: (row) => String(row.cacheHits) },
  { title: 'p50 ms', value: (row) => row.p50Ms.toFixed(0) },
  { title: 'p95 ms', value: (row) => row.p95Ms.toFixed(0) },
  { title: 'tokens', value: (row) => String(row.tokens) },
  { title: 'cost $', value: (row) => row.costUsd.toFixed(6) },
];

/**
 * The per-agent summary as a text table, with a total row. `calls` are the agent's requests,
 * `model` the calls that reached a model (retries and fallbacks add to it, cache hits do not).
 */
export function renderSummaryTable(rows: readonly AgentSummary[]): string {
  const total: AgentSummary = {
    agent: 'total',
    role: '',
    requests: sum(rows, (row) => row.requests),
    modelCalls: sum(rows, (row) => row.modelCalls),
    retries: sum(rows, (row) => row.retries),
    fallbacks: sum(rows, (row) => row.fallbacks),
    timeouts: sum(rows, (row) => row.timeouts),
    cacheHits: sum(rows, (row) => row.cacheHits),
    failedCalls: sum(rows, (row) => row.failedCalls),
    p50Ms: Number.NaN,
    p95Ms: Number.NaN,
    tokens: sum(rows, (row) => row.tokens),
    costUsd: sum(rows, (row) => row.costUsd),
  };
  const cells = [...rows, total].map((row) => columns.map((column) => {
    const text = column.value(row);
    return text === 'NaN' ? '' : text;
  }));
  const widths = columns.map((column, index) => Math.max(column.title.length, ...cells.map((line) => line[index]!.length)));
  const format = (line: readonly string[]) =>
    line.map((cell, index) => (columns[index]!.left === true ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join('  ');
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const body = cells.map(format);
  return [format(columns.map((column) => column.title)), rule, ...body.slice(0, -1), rule, body.at(-1)!].join('\n');
}

function sum(rows: readonly AgentSummary[], pick: (row: AgentSummary) => number): number {
  return rows.reduce((total, row) => total + pick(row), 0);
}
