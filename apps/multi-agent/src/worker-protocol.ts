import type { AgentSummary } from './agent-stats.js';
import type { AgentStatus, ProgressReporter } from './progress.js';
import type { Finding } from './team-records.js';

/** A line a worker process prints on stdout for the coordinator (JSON, one per line). */
export type WorkerLine =
  | { readonly type: 'ready'; readonly worker: string }
  | { readonly type: 'status'; readonly agent: string; readonly status: AgentStatus; readonly detail?: string }
  | { readonly type: 'event'; readonly agent: string; readonly kind: string; readonly detail: string };

/** What a research job returns to the coordinator. */
export interface ResearchJobOutput {
  readonly finding: Finding | null;
  readonly summary: AgentSummary;
  readonly latenciesMs: readonly number[];
}

/** A progress reporter that prints {@link WorkerLine}s, for the coordinator to show. */
export function workerProgress(write: (line: string) => void): ProgressReporter {
  const send = (line: WorkerLine) => write(`${JSON.stringify(line)}\n`);
  return {
    status: (agent, status, detail) => send({ type: 'status', agent, status, ...(detail === undefined ? {} : { detail }) }),
    event: (agent, kind, detail) => send({ type: 'event', agent, kind, detail }),
    close: () => {},
  };
}

/** Parses a worker's stdout line; undefined for anything else. */
export function parseWorkerLine(text: string): WorkerLine | undefined {
  try {
    const value = JSON.parse(text) as Partial<WorkerLine>;
    return value !== null && typeof value === 'object' && typeof value.type === 'string' ? (value as WorkerLine) : undefined;
  } catch {
    return undefined;
  }
}
