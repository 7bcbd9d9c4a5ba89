import { describeModelProvider } from '@tta-apps/model-provider';
import { CliUsageError } from './cli-usage-error.js';
import { parseCliOptions, USAGE, type CliOptions } from './cli-options.js';
import { createProgressReporter } from './progress.js';
import { createTeamProviders } from './providers.js';
import { runWithRedis } from './redis-mode.js';
import { runResearchTeam, type ResearchTeamResult } from './research-team.js';
import { renderSummaryTable } from './summary-table.js';
import { redactUrl } from './redact-url.js';
import { runWithDevtools } from './devtools-mode.js';
import { defaultRunsDir, runDurableTeam } from './durable-mode.js';

/** Where the command writes. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
}

const defaultIo: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };

/** Runs the demo with `argv` (without `node` and the script); resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCliOptions(argv);
  } catch (error) {
    if (!CliUsageError.isInstance(error)) throw error;
    io.stderr.write(`error: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const out = (line = '') => io.stdout.write(`${line}\n`);
  try {
    const { primary, backup } = createTeamProviders(options.seed, options.failureRate, io.env);
    out(`Research team: "${options.question}"`);
    out(describeModelProvider(primary));
    out(`seed ${options.seed}, failure rate ${options.failureRate}, ${options.researchers} researchers at a time${options.redis === undefined ? '' : `, ${options.workers} worker processes on ${redactUrl(options.redis)}`}`);
    out();
    const agents = ['planner', ...Array.from({ length: options.researchers }, (_, index) => `researcher-${index + 1}`), 'critic-accuracy', 'critic-completeness', 'critic-risk', 'writer'];
    if (options.durable) return await runDurableCli(options, { primary, backup }, io, agents, out);
    const progress = createProgressReporter({ stream: io.stdout, agents });
    let result: ResearchTeamResult;
    let linger: (() => Promise<void>) | undefined;
    try {
      if (options.devtools) {
        ({ result, linger } = await runWithDevtools(
          { question: options.question, port: options.devtoolsPort, lingerSeconds: options.devtoolsLingerSeconds },
          (context) => runResearchTeam({ question: options.question, primary, backup, progress, researchers: options.researchers, context }),
          out,
        ));
      } else {
        result =
          options.redis === undefined
            ? await runResearchTeam({ question: options.question, primary, backup, progress, researchers: options.researchers })
            : await runWithRedis({ options, primary, backup, progress });
      }
    } finally {
      progress.close();
    }
    printResult(result, out);
    if (options.json) out(JSON.stringify(result));
    await linger?.();
    return 0;
  } catch (error) {
    io.stderr.write(`error: ${oneLine(error)}\n`);
    return 1;
  }
}

/** The durable team: start (or resume) the run, and say what the journal spared. */
async function runDurableCli(
  options: CliOptions,
  providers: ReturnType<typeof createTeamProviders>,
  io: CliIo,
  agents: readonly string[],
  out: (line?: string) => void,
): Promise<number> {
  const runsDir = options.runsDir ?? defaultRunsDir(process.cwd());
  const runId = options.resume ?? `team-${Date.now().toString(36)}`;
  out(`durable run ${runId} (journal in ${runsDir})${options.crashAfter === undefined ? '' : `: the process will be killed after step "${options.crashAfter}"; resume with --resume ${runId}`}`);
  out();
  const progress = createProgressReporter({ stream: io.stdout, agents });
  let report;
  try {
    report = await runDurableTeam({
      question: options.question,
      ...providers,
      progress,
      runsDir,
      crashAfter: options.crashAfter,
      runId,
      resume: options.resume !== undefined,
      approve: options.approve,
      // A person can answer only in a terminal (or by --approve on the resume).
      askApproval: io.stdout.isTTY === true || options.approve,
    });
  } finally {
    progress.close();
  }
  out();
  if (report.replayedSteps.length > 0) out(`completed steps answered by the journal, not called again: ${report.replayedSteps.join(', ')}`);
  out(`model calls in this process: ${report.modelCalls}`);
  const outcome = report.outcome;
  if (outcome.status === 'suspended') {
    out(`waiting for ${outcome.waitingFor.name}: run again with --resume ${report.runId} --approve`);
    return 0;
  }
  out();
  out('== Answer ==');
  out(outcome.output);
  if (options.json) out(JSON.stringify({ runId: report.runId, answer: outcome.output, replayedSteps: report.replayedSteps, modelCalls: report.modelCalls }));
  return 0;
}

function printResult(result: ResearchTeamResult, out: (line?: string) => void): void {
  out();
  out('== Answer ==');
  out(result.answer);
  out();
  out('== Plan ==');
  result.plan.forEach((item, index) => out(`${index + 1}. ${item}`));
  out();
  const review = result.review;
  out(`== Review: ${review.verdict} (${review.supporters.length} of 3 critics agree: ${review.supporters.join(', ') || 'none'}) ==`);
  out();
  out('== Summary ==');
  out(renderSummaryTable(result.agents));
  out();
  out(`handoffs: ${result.handoffs.map((record) => record.to).join(' -> ')}`);
  out(`findings: ${result.findings.length}, correlation id ${result.correlationId}, finished in ${(result.elapsedMs / 1000).toFixed(2)} s`);
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}
