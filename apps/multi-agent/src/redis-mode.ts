import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WorkflowContext } from '@tta/primitives';
import { RedisCacheStore, RedisSharedState, createWorkflowQueue, createWorkflowQueueEvents, enqueueWorkflow } from '@tta/redis';
import type { ModelProvider, ModelResponse } from '@tta-apps/model-provider';
import type { CliOptions } from './cli-options.js';
import type { ProgressReporter } from './progress.js';
import type { ResearchTask } from './research-step.js';
import { runResearchTeam, type RemoteResearch, type ResearchTeamResult } from './research-team.js';
import type { Finding } from './team-records.js';
import { parseWorkerLine, type ResearchJobOutput } from './worker-protocol.js';
import { redactUrl } from './redact-url.js';

/** What Redis mode needs. */
export interface RedisModeOptions {
  readonly options: CliOptions;
  readonly primary: ModelProvider;
  readonly backup: ModelProvider;
  readonly progress: ProgressReporter;
}

const workerEntry = fileURLToPath(new URL('./worker.js', import.meta.url));
const prefix = 'tta-demo:';
const readyTimeoutMs = 20_000;
const jobTimeoutMs = 60_000;

/**
 * Runs the team with its research phase on `options.workers` worker processes: the sub-questions
 * become BullMQ jobs (`enqueueWorkflow`), each worker runs them through a `WorkerPool`, claims
 * them on the Redis blackboard (`RedisSharedState`) and shares model answers through a
 * `RedisCacheStore`. Planning, review and writing stay in this process. The run's queue is
 * removed at the end and the workers are stopped with SIGTERM.
 */
export async function runWithRedis(mode: RedisModeOptions): Promise<ResearchTeamResult> {
  const { options, progress } = mode;
  const url = options.redis!;
  const connection = { url };
  const context = WorkflowContext.create();
  const queueName = `research-${context.correlationId.slice(0, 8)}`;
  const concurrency = Math.max(1, Math.ceil(options.researchers / options.workers));
  const workers: ChildProcess[] = [];
  const exits: Promise<unknown>[] = [];
  const sharedState = new RedisSharedState({ connection, prefix });
  // Fail fast, in one line, when Redis is not there (the stores fail with a typed error quickly).
  try {
    await sharedState.get({ scope: 'global', scopeId: '', key: 'team/ping' });
  } catch (error) {
    await bounded(sharedState.close());
    throw new Error(`cannot reach Redis at ${redactUrl(url)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const cacheStore = new RedisCacheStore<ModelResponse>({ connection, prefix, namespace: 'team-model' });
  const queue = createWorkflowQueue<ResearchTask, ResearchJobOutput>({ connection, prefix, queueName });
  const events = createWorkflowQueueEvents({ connection, prefix, queueName });
  try {
    const ready: Promise<void>[] = [];
    for (let index = 1; index <= options.workers; index++) {
      const child = spawn(
        process.execPath,
        [workerEntry, '--redis', url, '--prefix', prefix, '--queue', queueName, '--name', `w${index}`, '--seed', String(options.seed), '--failure-rate', String(options.failureRate), '--concurrency', String(concurrency)],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      workers.push(child);
      exits.push(new Promise((resolve) => child.once('exit', resolve)));
      ready.push(followWorker(child, `w${index}`, progress));
    }
    await Promise.all(ready);
    await events.waitUntilReady();
    progress.event('research-lead', 'workers', `${options.workers} worker processes ready on queue ${queueName}`);

    const remoteResearch: RemoteResearch = async ({ question, subQuestions, correlationId }) => {
      const jobs = await Promise.all(
        subQuestions.map((subQuestion, index) =>
          enqueueWorkflow(queue, 'research', { question, subQuestion, index }, { context, correlationId, jobId: `${correlationId}-${index}`, attempts: 2, backoff: { type: 'fixed', delayMs: 100 } }),
        ),
      );
      progress.event('research-lead', 'enqueued', `${jobs.length} research jobs`);
      const outputs = await Promise.all(jobs.map((job) => job.waitUntilFinished(events, jobTimeoutMs) as Promise<ResearchJobOutput>));
      const findings: Finding[] = [];
      for (const output of outputs) if (output.finding !== null) findings.push(output.finding);
      return { findings, agents: outputs.map((output) => ({ summary: output.summary, latenciesMs: output.latenciesMs })) };
    };

    return await runResearchTeam({
      question: options.question,
      primary: mode.primary,
      backup: mode.backup,
      progress,
      researchers: options.researchers,
      sharedState,
      cacheStore,
      remoteResearch,
      context,
    });
  } finally {
    for (const child of workers) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(exits);
    await bounded(queue.obliterate({ force: true }));
    await bounded(Promise.allSettled([queue.close(), events.close(), sharedState.close(), cacheStore.close()]));
  }
}

/** Waits for a clean-up step at most `ms`: a lost connection must not keep the demo from ending. */
async function bounded(work: Promise<unknown>, ms = 3_000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([work.catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Forwards a worker's progress lines; resolves when it is ready, rejects when it dies first. */
function followWorker(child: ChildProcess, name: string, progress: ProgressReporter): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`worker ${name} was not ready within ${readyTimeoutMs} ms (is Redis reachable?) ${stderr.trim()}`)), readyTimeoutMs);
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
        const line = parseWorkerLine(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        if (line?.type === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (line?.type === 'status') progress.status(line.agent, line.status, line.detail);
        else if (line?.type === 'event') progress.event(line.agent, line.kind, line.detail);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker ${name} exited with code ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`));
    });
  });
}
