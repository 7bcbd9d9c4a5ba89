/** What an agent is doing. */
export type AgentStatus = 'waiting' | 'working' | 'done' | 'failed';

/** Receives what happens during a run; the demo prints it, tests may collect it. */
export interface ProgressReporter {
  /** An agent changed status; `detail` says on what. */
  status(agent: string, status: AgentStatus, detail?: string): void;
  /** Something worth a line: a retry, a fallback, a timeout, a cache hit, a handoff, a verdict. */
  event(agent: string, kind: string, detail: string): void;
  /** The run is over: stop redrawing and release the terminal. */
  close(): void;
}

/** Options of {@link createProgressReporter}. */
export interface ProgressOptions {
  /** Where the output goes. @default process.stdout */
  readonly stream?: NodeJS.WriteStream | { write(text: string): unknown; readonly isTTY?: boolean };
  /** Time origin of the `[ 0.42s]` stamps. @default performance.now() at creation */
  readonly startMs?: number;
  /** Agents shown in the live board, in order. */
  readonly agents?: readonly string[];
  /**
   * Force the live board (true) or plain lines (false).
   * @default the stream's isTTY
   */
  readonly live?: boolean;
}

/**
 * A progress display: on a terminal, a live board (one line per agent, redrawn in place) with
 * the latest events scrolling above it; elsewhere (pipes, CI, tests), one plain line per event.
 */
export function createProgressReporter(options: ProgressOptions = {}): ProgressReporter {
  const stream = options.stream ?? process.stdout;
  const startMs = options.startMs ?? performance.now();
  const stamp = () => `[${((performance.now() - startMs) / 1000).toFixed(2).padStart(6)}s]`;
  const live = options.live ?? stream.isTTY === true;
  if (!live) {
    return {
      status: (agent, status, detail) => stream.write(`${stamp()} ${agent.padEnd(19)} ${status}${detail === undefined ? '' : `: ${detail}`}\n`),
      event: (agent, kind, detail) => stream.write(`${stamp()} ${agent.padEnd(19)} ${kind}: ${detail}\n`),
      close: () => {},
    };
  }
  return new LiveBoard(stream, stamp, options.agents ?? []);
}

const icons: Record<AgentStatus, string> = { waiting: '·', working: '›', done: '✓', failed: '✗' };

class LiveBoard implements ProgressReporter {
  private readonly rows = new Map<string, { status: AgentStatus; detail: string; events: number }>();
  private drawnLines = 0;
  private closed = false;

  constructor(
    private readonly stream: { write(text: string): unknown },
    private readonly stamp: () => string,
    agents: readonly string[],
  ) {
    for (const agent of agents) this.rows.set(agent, { status: 'waiting', detail: '', events: 0 });
    this.draw();
  }

  status(agent: string, status: AgentStatus, detail = ''): void {
    const row = this.row(agent);
    row.status = status;
    row.detail = detail;
    this.draw();
  }

  event(agent: string, kind: string, detail: string): void {
    this.row(agent).events++;
    // Events scroll above the board: erase the board, print the line, redraw it below.
    this.erase();
    this.stream.write(`${this.stamp()} ${agent.padEnd(19)} ${kind}: ${detail}\n`);
    this.draw();
  }

  close(): void {
    if (this.closed) return;
    this.draw();
    this.closed = true;
  }

  private row(agent: string) {
    let row = this.rows.get(agent);
    if (row === undefined) {
      row = { status: 'waiting', detail: '', events: 0 };
      this.rows.set(agent, row);
    }
    return row;
  }

  private erase(): void {
    if (this.closed || this.drawnLines === 0) return;
    this.stream.write(`\x1b[${this.drawnLines}F\x1b[J`);
    this.drawnLines = 0;
  }

  private draw(): void {
    if (this.closed) return;
    this.erase();
    const width = (process.stdout.columns ?? 100) - 1;
    const lines = [...this.rows].map(([agent, row]) =>
      `  ${icons[row.status]} ${agent.padEnd(19)} ${row.status.padEnd(8)} ${row.detail}`.slice(0, width),
    );
    this.stream.write(`${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }
}
