import { join } from 'node:path';
import { InMemoryCacheStore, ParallelPrimitive, SequentialPrimitive, step, type WorkflowContext } from '@tta/primitives';
import { registerInstrumentation } from '@tta/primitives/instrumentation';
import { FileRunStore, RunLockedError, durable, waitFor, type RunOutcome } from '@tta/durable';
import type { ModelProvider, ModelResponse } from '@tta-apps/model-provider';
import { CRITIC_LENSES, backgroundPrompt, criticPrompt, plannerPrompt, researchPrompt, writerPrompt } from './prompts.js';
import type { ProgressReporter } from './progress.js';
import { parsePlan } from './research-team.js';
import { TeamModel } from './team-model.js';

/** What the durable team is asked. */
export interface DurableTeamOptions {
  readonly question: string;
  readonly primary: ModelProvider;
  readonly backup: ModelProvider;
  readonly progress: ProgressReporter;
  /** Where runs are journaled. */
  readonly runsDir: string;
  /** SIGKILL the process right after this step is journaled (to show a resume). */
  readonly crashAfter: string | undefined;
  /** The run: resumed when it exists (`--resume`), else started. */
  readonly runId: string;
  /** Resume the run rather than start it. */
  readonly resume: boolean;
  /** Answer the approval wait with "approved". */
  readonly approve: boolean;
  /** Ask a person before the writer (a terminal run): the run suspends at `approval`. */
  readonly askApproval: boolean;
}

/** What the durable team printed about its run. */
export interface DurableTeamReport {
  readonly runId: string;
  readonly outcome: RunOutcome<string>;
  /** Steps the journal answered in this process, without calling them. */
  readonly replayedSteps: readonly string[];
  /** Model calls made in this process. */
  readonly modelCalls: number;
}

/**
 * The research team as one durable workflow journaled in `runsDir`: plan -> research (one
 * researcher per sub-question, in parallel) -> review (three critics) -> approval (a person, when
 * asked) -> write. Killed at any point, `--resume <runId>` continues it without calling a completed
 * step (and so its model calls) again.
 */
export async function runDurableTeam(options: DurableTeamOptions): Promise<DurableTeamReport> {
  const { question, progress } = options;
  const model = new TeamModel({ primary: options.primary, backup: options.backup, cacheStore: new InMemoryCacheStore<ModelResponse>({ maxEntries: 1000 }), progress });
  const ask = (agent: string, role: string, context: WorkflowContext, messages: ReturnType<typeof plannerPrompt>) =>
    model.ask(model.statsFor(agent, role), context, { messages }).then((response) => response.text);

  const plan = step('plan', async (_question: string, context) => {
    progress.status('planner', 'working', 'splitting the question');
    const subQuestions = parsePlan(await ask('planner', 'planner', context, plannerPrompt(question)));
    progress.status('planner', 'done', `${subQuestions.length} sub-questions`);
    return subQuestions;
  });
  const researchOne = step('researcher', async (task: { readonly index: number; readonly subQuestion: string }, context) => {
    const agent = `researcher-${task.index + 1}`;
    progress.status(agent, 'working', `sub-question ${task.index + 1}`);
    const background = await ask(agent, 'researcher', context, backgroundPrompt(question));
    const finding = await ask(agent, 'researcher', context, researchPrompt(question, task.subQuestion, background));
    progress.status(agent, 'done');
    return finding;
  });
  // Sub-questions start in plan order, so each gets the same path (`research/researcher#n`) in every process.
  const research = step('research', (subQuestions: readonly string[], context) =>
    Promise.all(subQuestions.map((subQuestion, index) => researchOne.execute(context, { index, subQuestion }))),
  );
  const critics = new ParallelPrimitive(
    CRITIC_LENSES.map((lens) =>
      step(`critic-${lens}`, async (findings: readonly string[], context) => {
        progress.status(`critic-${lens}`, 'working', `reviewing for ${lens}`);
        const note = await ask(`critic-${lens}`, 'critic', context, criticPrompt(lens, question, findings));
        progress.status(`critic-${lens}`, 'done');
        return note;
      }),
    ),
    { name: 'critics' },
  );
  const review = step('review', async (findings: readonly string[], context) => ({ findings, notes: await critics.execute(context, findings) }));
  const approval = waitFor<{ readonly findings: readonly string[]; readonly notes: readonly string[] }, { readonly approved: boolean }>('approval');
  const write = step('write', async (input: { readonly findings: readonly string[]; readonly notes: readonly string[] }, context) => {
    progress.status('writer', 'working', 'writing the answer');
    const answer = await ask('writer', 'writer', context, writerPrompt(question, input.findings, input.notes));
    progress.status('writer', 'done');
    return answer;
  });
  // The approval keeps the reviewed findings for the writer: the wait's answer only says yes or no.
  const approve = step('approval', async (reviewed: { readonly findings: readonly string[]; readonly notes: readonly string[] }, context) => {
    if (!options.askApproval) return reviewed;
    const answer = await approval.execute(context, reviewed);
    if (!answer.approved) throw new Error('the answer was not approved');
    return reviewed;
  });
  const team = new SequentialPrimitive<string, string>([plan, research, review, approve, write], { name: 'research-team' });
  // A short lease, so that a resume after --crash-after takes over the dead process's run quickly.
  const flow = durable(team, { name: 'research-team', store: new FileRunStore({ dir: options.runsDir }), leaseMs: leaseMs });

  // The crash comes right after the named step's end, when the journal has recorded it.
  const watch = registerInstrumentation({
    onEnd: (execution, result) => {
      if (result.status === 'success' && execution.name === options.crashAfter && isTopLevel(execution.path)) process.kill(process.pid, 'SIGKILL');
    },
  });
  const replayedSteps: string[] = [];
  try {
    const runId = options.runId;
    let outcome: RunOutcome<string>;
    if (options.resume) {
      const before = await flow.inspect(runId);
      // Every completed step is answered by the journal on resume, without being called.
      for (const record of before?.steps ?? []) if (record.status === 'completed' && isTopLevel(record.path)) replayedSteps.push(record.name);
      outcome = await untilLeaseFree(() => flow.resume(runId), progress);
      // A run killed before its wait first runs up to the wait; the approval then answers it.
      if (outcome.status === 'suspended' && options.approve) outcome = await flow.resume(runId, { value: { approved: true } });
    } else {
      outcome = await flow.start(question, { runId });
    }
    const modelCalls = model.allStats().reduce((total, stats) => total + stats.modelCalls, 0);
    return { runId, outcome, replayedSteps, modelCalls };
  } finally {
    watch.dispose();
  }
}

const leaseMs = 3_000;

/** Retries `attempt` while a crashed process's lease on the run has not expired yet. */
async function untilLeaseFree<T>(attempt: () => Promise<T>, progress: ProgressReporter): Promise<T> {
  const deadline = Date.now() + leaseMs * 3;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!RunLockedError.isInstance(error) || Date.now() > deadline) throw error;
      progress.event('journal', 'lease', 'the run is still held (a crashed process?): waiting for its lease to expire');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

const isTopLevel = (path: string): boolean => path.split('/').length === 2;

/** The default journal directory: beside the working directory, so another process finds it. */
export const defaultRunsDir = (cwd: string): string => join(cwd, '.tta-runs');
