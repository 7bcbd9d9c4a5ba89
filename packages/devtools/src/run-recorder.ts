import { getRunExtension, setRunExtension, type ExecutionInfo, type ExecutionResult, type Instrumentation, type PrimitiveEvent } from '@tta/primitives/instrumentation';
import type { WorkflowContext } from '@tta/primitives';
import { errorChain } from './error-chain.js';
import { payloadPreview } from './payload-preview.js';

/** One message of the page's event stream (serialised as JSON). */
export type DevtoolsEvent = Readonly<Record<string, unknown>> & { readonly t: string };

/** A workflow a run may belong to, and the step names its graph has. */
export interface WorkflowCandidate {
  readonly workflow: string;
  readonly stepNames: ReadonlySet<string>;
}

interface ActiveRun {
  readonly id: string;
  readonly shown: true;
  workflow: string;
  /** Workflows whose root has the run's root name, narrowed by each step until one is left. */
  candidates: readonly WorkflowCandidate[];
  readonly root: ExecutionInfo;
  readonly startedMs: number;
  nextStep: number;
  readonly open: Map<ExecutionInfo, OpenStep>;
}

interface OpenStep {
  readonly id: number;
  /** Answered from a durable run's journal instead of being called again. */
  readonly replayed: boolean;
  readonly tokensBefore: number;
  readonly costBefore: number;
}

interface UsageLike {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly costUsd?: number;
}

/** What a run's contexts carry: its record, or (for a run left out) the root execution alone. */
type RunRecord = ActiveRun | ExecutionInfo;

function isShown(record: RunRecord): record is ActiveRun {
  return (record as Partial<ActiveRun>).shown === true;
}

// A run with thousands of steps (a long loop) would otherwise fill the history on its own.
const maxStepsPerRun = 500;

/**
 * Turns the `Instrumentation` seam's callbacks into page events: a run starts when a registered
 * workflow's root primitive starts on a context not already in a run, and every execution on that
 * run's contexts (same correlation id) is one of its steps. The callbacks only append small
 * objects to a batch; serialising, redacting and writing happen later in `flush`, off the
 * workflow's path, so a browser never slows a run down.
 */
export class RunRecorder {
  /**
   * Where a run's record is kept on its context (`setRunExtension`): every context of a run shares
   * it, so a step finds its run without a correlation id (which would cost a UUID per run) or a map
   * that could leak. Replaced on `reset`, so records left by a previous browser session are ignored.
   */
  private runKey = Symbol('@tta/devtools.run');
  private batch: (() => DevtoolsEvent)[] = [];
  private flushScheduled = false;
  private runCounter = 0;
  private windowStartedMs = 0;
  private runsInWindow = 0;
  private notShown = 0;
  /** The seam object registered while a browser is connected. */
  readonly instrumentation: Instrumentation;

  /**
   * @param rootNames maps a primitive name to the workflows it is the root of
   * @param deliver receives each batch of events, in order
   * @param maxRunsPerSecond runs recorded in detail per second; the others are only counted
   */
  constructor(
    private readonly rootNames: ReadonlyMap<string, readonly WorkflowCandidate[]>,
    private readonly deliver: (events: readonly DevtoolsEvent[]) => void,
    private readonly maxRunsPerSecond: number,
  ) {
    this.instrumentation = {
      observeRun: (root) => this.observeRun(root.name),
      onStart: (execution) => this.onStart(execution),
      onEnd: (execution, result) => this.onEnd(execution, result),
      onEvent: (event, source) => this.onEvent(event, source),
    };
  }

  /** Runs left out because more than `maxRunsPerSecond` started. */
  get runsNotShown(): number {
    return this.notShown;
  }

  /**
   * True while fewer than `maxRunsPerSecond` runs started this second. A browser cannot show
   * thousands of runs a second, and recording each would cost a busy service far more than the
   * page is worth; the others are counted, and the page says how many it left out.
   */
  private admitRun(): boolean {
    if (this.hasRoom()) {
      this.runsInWindow++;
      return true;
    }
    this.notShown++;
    return false;
  }

  /**
   * Asked by the core as a run starts: a registered workflow's run over this second's quota is left
   * out here, so it runs as if nothing were registered. Other runs are observed, as a registered
   * workflow may run inside them (its run then starts at its own root, and is admitted there).
   */
  private observeRun(rootName: string): boolean {
    if (!this.rootNames.has(rootName) || this.hasRoom()) return true;
    this.notShown++;
    return false;
  }

  /** True while fewer than `maxRunsPerSecond` runs were admitted this second (a new second starts a new count). */
  private hasRoom(): boolean {
    const now = Date.now();
    if (now - this.windowStartedMs >= 1000) {
      if (this.notShown > this.reportedNotShown) {
        const total = (this.reportedNotShown = this.notShown);
        this.push(() => ({ t: 'runs-not-shown', total }));
      }
      this.windowStartedMs = now;
      this.runsInWindow = 0;
    }
    return this.runsInWindow < this.maxRunsPerSecond;
  }

  private reportedNotShown = 0;

  /** Forgets runs in progress (their browser left): the next start of a root begins a new run. */
  reset(): void {
    this.runKey = Symbol('@tta/devtools.run');
  }

  private onStart(execution: ExecutionInfo): void {
    const context = execution.context;
    let run = getRunExtension<RunRecord>(context, this.runKey);
    if (run === undefined) {
      const candidates = this.rootNames.get(execution.name);
      if (candidates === undefined) return;
      if (!this.admitRun()) {
        // Left out: the root itself marks the run, so its steps pass through and its end clears it.
        setRunExtension(context, this.runKey, execution);
        return;
      }
      run = { id: `${context.correlationId}#${++this.runCounter}`, shown: true, workflow: candidates[0]!.workflow, candidates, root: execution, startedMs: performance.now(), nextStep: 0, open: new Map() };
      setRunExtension(context, this.runKey, run);
      const started = run;
      const input = execution.input;
      const at = Date.now();
      // `workflow` is read when the batch is flushed: by then the first steps have told apart two
      // workflows whose roots share a name (two anonymous sequences are both `sequential`).
      this.push(() => ({ t: 'run-start', run: started.id, workflow: started.workflow, at, input: payloadPreview(input) }));
    }
    else if (!isShown(run)) return;
    else if (run.candidates.length > 1) narrow(run, execution.name);
    if (run.nextStep >= maxStepsPerRun) return;
    const id = run.nextStep++;
    const usage = usageOf(context);
    run.open.set(execution, { id, replayed: replayedFromJournal(execution), tokensBefore: tokensOf(usage), costBefore: usage?.costUsd ?? 0 });
    const runId = run.id;
    const offsetMs = performance.now() - run.startedMs;
    const attempt = context.attempt;
    this.push(() => ({ t: 'step-start', run: runId, step: id, name: execution.name, kind: execution.kind, path: execution.path, offsetMs, attempt }));
  }

  private onEnd(execution: ExecutionInfo, result: ExecutionResult): void {
    const run = getRunExtension<RunRecord>(execution.context, this.runKey);
    if (run === undefined) return;
    if (!isShown(run)) {
      if (execution === run) setRunExtension(execution.context, this.runKey, undefined);
      return;
    }
    const open = run.open.get(execution);
    if (open !== undefined) {
      run.open.delete(execution);
      const usage = usageOf(execution.context);
      const tokens = tokensOf(usage) - open.tokensBefore;
      const costUsd = (usage?.costUsd ?? 0) - open.costBefore;
      const runId = run.id;
      const { status, durationMs, error } = result;
      this.push(() => ({
        t: 'step-end',
        run: runId,
        step: open.id,
        status: status === 'failure' ? 'failed' : open.replayed ? 'skipped' : 'ok',
        durationMs,
        tokens,
        costUsd,
        error: status === 'failure' ? errorChain(error) : undefined,
      }));
    }
    if (execution !== run.root) return;
    // The same context may run the workflow again: that is a new run.
    setRunExtension(execution.context, this.runKey, undefined);
    const finished = run;
    const usage = usageOf(execution.context);
    this.push(() => ({
      t: 'run-end',
      run: finished.id,
      status: result.status === 'success' ? 'ok' : 'failed',
      durationMs: result.durationMs,
      tokens: tokensOf(usage),
      costUsd: usage?.costUsd ?? 0,
      error: result.status === 'failure' ? errorChain(result.error) : undefined,
    }));
  }

  private onEvent(event: PrimitiveEvent, source: { readonly name: string; readonly kind: string; readonly context: WorkflowContext | undefined }): void {
    const type = event.type;
    if (type !== 'retry' && type !== 'fallback' && type !== 'cache-hit') return;
    const context = source.context;
    if (context === undefined) return;
    const run = getRunExtension<RunRecord>(context, this.runKey);
    if (run === undefined || !isShown(run)) return;
    const runId = run.id;
    const detail = type === 'retry' ? { attempt: event.attempt } : type === 'fallback' ? { fallback: event.fallback } : {};
    this.push(() => ({ t: 'step-event', run: runId, name: source.name, kind: source.kind, type, ...detail }));
  }

  private push(event: () => DevtoolsEvent): void {
    this.batch.push(event);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Builds the batched events (redacting what they quote) and hands them on. */
  flush(): void {
    this.flushScheduled = false;
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    const events: DevtoolsEvent[] = [];
    for (const make of batch) {
      try {
        events.push(make());
      } catch {
        // A payload or error that cannot be read is left out rather than stopping the batch.
      }
    }
    this.deliver(events);
  }
}

// Where `@tta/durable` keeps a run's journal on its context (its `journalKey`).
const durableJournalKey = Symbol.for('@tta/durable.journal');

/**
 * True when a durable run's journal already holds this step's output, so the step is answered from
 * it and not called again. Read by shape: this package does not depend on `@tta/durable`.
 */
function replayedFromJournal(execution: ExecutionInfo): boolean {
  const journal = getRunExtension<{ readonly completed?: unknown }>(execution.context, durableJournalKey);
  const completed = journal?.completed;
  return completed instanceof Map && completed.has(execution.path);
}

function narrow(run: ActiveRun, stepName: string): void {
  const remaining = run.candidates.filter((candidate) => candidate.stepNames.has(stepName));
  if (remaining.length === 0) return;
  run.candidates = remaining;
  run.workflow = remaining[0]!.workflow;
}

function usageOf(context: WorkflowContext): UsageLike | undefined {
  // `context.usage` comes with run budgets; read by shape so older cores (without it) still work.
  const usage = (context as { readonly usage?: unknown }).usage;
  return typeof usage === 'object' && usage !== null ? (usage as UsageLike) : undefined;
}

function tokensOf(usage: UsageLike | undefined): number {
  return usage === undefined ? 0 : (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0);
}
