import {
  AgentContext,
  AgentCoordinationPrimitive,
  AgentHandoffPrimitive,
  CoordinationError,
  InMemorySharedState,
  defineAgent,
  type HandoffRecord,
  type SharedState,
} from '@tta/agent-context';
import { InMemoryCacheStore, ParallelPrimitive, WorkflowContext, type CacheStore } from '@tta/primitives';
import type { ModelProvider, ModelResponse } from '@tta-apps/model-provider';
import type { AgentSummary } from './agent-stats.js';
import type { ProgressReporter } from './progress.js';
import { CRITIC_LENSES, backgroundPrompt, criticPrompt, plannerPrompt, researchPrompt, writerPrompt } from './prompts.js';
import { researchSubQuestion } from './research-step.js';
import { teamKeys } from './team-keys.js';
import type { Finding, Review } from './team-records.js';
import { TeamModel } from './team-model.js';

/** Researches sub-questions somewhere else (worker processes, in Redis mode) and returns the findings. */
export type RemoteResearch = (request: {
  readonly question: string;
  readonly subQuestions: readonly string[];
  readonly correlationId: string;
}) => Promise<{ readonly findings: readonly Finding[]; readonly agents: readonly { readonly summary: AgentSummary; readonly latenciesMs: readonly number[] }[] }>;

/** Options of {@link runResearchTeam}. */
export interface ResearchTeamOptions {
  readonly question: string;
  readonly primary: ModelProvider;
  readonly backup: ModelProvider;
  readonly progress: ProgressReporter;
  /**
   * Researchers at work at the same time: the concurrency limit of the research phase.
   * @default 3
   */
  readonly researchers?: number;
  /** The blackboard store. @default a new InMemorySharedState */
  readonly sharedState?: SharedState;
  /** Where model answers are cached. @default a new InMemoryCacheStore */
  readonly cacheStore?: CacheStore<ModelResponse>;
  /** Runs the research phase on other processes instead of in this one. */
  readonly remoteResearch?: RemoteResearch;
  /** Time limit of one model call. @default 400 */
  readonly callTimeoutMs?: number;
  /** The run's context (correlation id, cancellation). @default a new WorkflowContext */
  readonly context?: WorkflowContext;
}

/** What the team produced. */
export interface ResearchTeamResult {
  readonly question: string;
  readonly answer: string;
  readonly plan: readonly string[];
  readonly findings: readonly Finding[];
  readonly review: Review;
  /** Per-agent counts and latencies, in the order the agents first worked. */
  readonly agents: readonly AgentSummary[];
  /** How control moved between agents. */
  readonly handoffs: readonly HandoffRecord[];
  readonly correlationId: string;
  readonly elapsedMs: number;
}

/**
 * Runs the research team on `question`:
 *
 * 1. the **planner** splits the question into sub-questions and puts the plan on the blackboard;
 * 2. it hands off to the **research lead**, which starts the **researchers** in parallel (at most
 *    `researchers` at once); each claims unresearched sub-questions on the blackboard with
 *    compare-and-set (exactly one researcher wins each) and writes its finding back;
 * 3. the research lead hands off to the **review panel**: three **critics** review the findings at
 *    the same time and decide by consensus (two of three must agree);
 * 4. when the verdict is "revise", a conditional handoff sends the notes to a researcher for one
 *    more finding;
 * 5. the **writer** turns the findings and notes into the answer.
 *
 * Every model call goes through the shared {@link TeamModel} (cache -> retry -> fallback -> timeout).
 */
export async function runResearchTeam(options: ResearchTeamOptions): Promise<ResearchTeamResult> {
  const { question, progress } = options;
  const researcherCount = options.researchers ?? 3;
  const started = performance.now();
  const model = new TeamModel({
    primary: options.primary,
    backup: options.backup,
    cacheStore: options.cacheStore ?? new InMemoryCacheStore<ModelResponse>({ maxEntries: 1000 }),
    progress,
    ...(options.callTimeoutMs === undefined ? {} : { callTimeoutMs: options.callTimeoutMs }),
  });
  const stats = {
    planner: model.statsFor('planner', 'planner'),
    // Made on first use: in Redis mode the researchers are other processes, with stats of their own.
    researcher: (index: number) => model.statsFor(`researcher-${index + 1}`, 'researcher'),
    critics: CRITIC_LENSES.map((lens) => model.statsFor(`critic-${lens}`, 'critic')),
    writer: model.statsFor('writer', 'writer'),
  };
  let lastHistory: readonly HandoffRecord[] = [];

  // 5. The writer.
  const writer = defineAgent({ id: 'writer', role: 'writer' }, async (input: { findings: readonly Finding[]; review: Review }, context: AgentContext) => {
    lastHistory = context.history;
    progress.status('writer', 'working', 'writing the answer');
    const response = await model.ask(stats.writer, context, {
      messages: writerPrompt(question, input.findings.map((finding) => finding.text), input.review.notes),
      maxTokens: 600,
    });
    await context.blackboard.set(teamKeys.answer, response.text);
    progress.status('writer', 'done');
    return response.text;
  });
  const toWriter = new AgentHandoffPrimitive({ to: writer, reason: 'findings reviewed' });

  // 4. A revision, only when the critics asked for one.
  const reviser = defineAgent({ id: 'reviser', role: 'researcher' }, async (input: { findings: readonly Finding[]; review: Review }, context: AgentContext) => {
    const reviserStats = model.statsFor('reviser', 'researcher');
    progress.status('reviser', 'working', 'revising after review');
    const note = input.review.notes.find((text) => text.includes('revise')) ?? input.review.notes[0] ?? '';
    const subQuestion = `Address the review note: ${note.replace(/^\[simulated\]\s*/, '')}`;
    const background = await model.ask(reviserStats, context, { messages: backgroundPrompt(question) });
    const response = await model.ask(reviserStats, context, { messages: researchPrompt(question, subQuestion, background.text) });
    const finding: Finding = { index: input.findings.length, subQuestion, text: response.text, by: 'reviser' };
    await context.blackboard.set(teamKeys.finding(finding.index), finding);
    progress.status('reviser', 'done', 'revision added');
    return [...input.findings, finding];
  });
  const toReviser = new AgentHandoffPrimitive({
    to: reviser,
    strategy: 'conditional',
    condition: (input: { findings: readonly Finding[]; review: Review }) => input.review.verdict === 'revise',
    reason: 'critics asked for a revision',
  });

  // 3. The review panel: three critics, consensus.
  const critics = CRITIC_LENSES.map((lens, index) =>
    defineAgent({ id: `critic-${lens}`, role: 'critic', capabilities: [lens] }, async (findings: readonly Finding[], context: AgentContext) => {
      progress.status(`critic-${lens}`, 'working', `reviewing for ${lens}`);
      const response = await model.ask(stats.critics[index]!, context, { messages: criticPrompt(lens, question, findings.map((finding) => finding.text)) });
      const verdict = /VERDICT:\s*revise/i.test(response.text) ? 'revise' : 'approve';
      progress.status(`critic-${lens}`, 'done', verdict);
      return { verdict, note: response.text };
    }),
  );
  const panel = new AgentCoordinationPrimitive({
    name: 'review-panel',
    agents: critics,
    strategy: 'consensus',
    threshold: 2 / 3,
    equals: (left, right) => left.verdict === right.verdict,
  });
  const reviewPanel = defineAgent({ id: 'review-panel', role: 'coordinator' }, async (findings: readonly Finding[], context: AgentContext) => {
    let review: Review;
    try {
      const result = await panel.execute(context, findings);
      const notes = result.outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value.note] : []));
      review = { verdict: result.value.verdict as Review['verdict'], agreement: result.agreement ?? 0, supporters: result.supporters ?? [], notes };
    } catch (error) {
      if (!CoordinationError.isInstance(error)) throw error;
      review = { verdict: 'no consensus', agreement: 0, supporters: [], notes: [] };
    }
    await context.blackboard.set(teamKeys.review, review);
    progress.event('review-panel', 'verdict', `${review.verdict} (${review.supporters.length}/${critics.length} critics agree)`);
    const revised = await toReviser.execute(context, { findings, review });
    const final = revised.status === 'completed' ? revised.output : findings;
    const written = await toWriter.execute(context, { findings: final, review });
    if (written.status !== 'completed') throw new Error('the writer did not run');
    return { answer: written.output, review, findings: final };
  });
  const toReview = new AgentHandoffPrimitive({ to: reviewPanel, reason: 'research done' });

  // 2. The research lead and its researchers.
  const researcher = (index: number) =>
    defineAgent({ id: `researcher-${index + 1}`, role: 'researcher' }, async (subQuestions: readonly string[], context: AgentContext) => {
      const id = `researcher-${index + 1}`;
      const mine: Finding[] = [];
      for (let item = 0; item < subQuestions.length; item++) {
        if (await context.blackboard.get(teamKeys.claim(item)) !== undefined) continue;
        const finding = await researchSubQuestion(model, stats.researcher(index), context, { question, subQuestion: subQuestions[item]!, index: item }, () =>
          progress.status(id, 'working', `sub-question ${item + 1}`),
        );
        if (finding !== undefined) mine.push(finding);
      }
      progress.status(id, 'done', `${mine.length} finding(s)`);
      return mine;
    });
  const researchers = new ParallelPrimitive(
    Array.from({ length: researcherCount }, (_, index) => researcher(index).primitive),
    { name: 'researchers', concurrency: researcherCount },
  );
  const researchLead = defineAgent({ id: 'research-lead', role: 'coordinator' }, async (subQuestions: readonly string[], context: AgentContext) => {
    let findings: Finding[];
    if (options.remoteResearch !== undefined) {
      const remote = await options.remoteResearch({ question, subQuestions, correlationId: context.correlationId });
      for (const agent of remote.agents) model.statsFor(agent.summary.agent, agent.summary.role).merge(agent.summary, agent.latenciesMs);
      findings = [...remote.findings];
    } else {
      await researchers.execute(context, subQuestions);
      findings = [];
      for (let item = 0; item < subQuestions.length; item++) {
        const finding = await context.blackboard.get(teamKeys.finding(item));
        if (finding !== undefined) findings.push(finding);
      }
    }
    findings.sort((left, right) => left.index - right.index);
    progress.event('research-lead', 'handoff', `${findings.length} findings -> review-panel`);
    const reviewed = await toReview.execute(context, findings);
    if (reviewed.status !== 'completed') throw new Error('the review panel did not run');
    return reviewed.output;
  });
  const toResearch = new AgentHandoffPrimitive({ to: researchLead, reason: 'plan ready' });

  // 1. The planner starts the run.
  const workflow = options.context ?? WorkflowContext.create();
  const plannerContext = AgentContext.create({
    workflow,
    agent: { id: 'planner', role: 'planner' },
    sharedState: options.sharedState ?? new InMemorySharedState(),
  });
  for (const handoff of [toResearch, toReview, toReviser, toWriter]) {
    handoff.onHandoff((event) => {
      if (event.status !== 'skipped') progress.event(event.from, 'handoff', `-> ${event.to} (${event.strategy}, ${event.status})`);
    });
  }
  progress.status('planner', 'working', 'splitting the question');
  const planResponse = await model.ask(stats.planner, plannerContext, { messages: plannerPrompt(question) });
  const plan = parsePlan(planResponse.text);
  await plannerContext.blackboard.set(teamKeys.plan, plan);
  progress.status('planner', 'done', `${plan.length} sub-questions`);
  const outcome = await toResearch.execute(plannerContext, plan);
  if (outcome.status !== 'completed') throw new Error('the research lead did not run');

  return {
    question,
    answer: outcome.output.answer,
    plan,
    findings: outcome.output.findings,
    review: outcome.output.review,
    agents: model
      .allStats()
      .sort((left, right) => roleRank(left.role) - roleRank(right.role) || left.agent.localeCompare(right.agent, 'en', { numeric: true }))
      .map((agent) => agent.summary()),
    handoffs: lastHistory,
    correlationId: plannerContext.correlationId,
    elapsedMs: performance.now() - started,
  };
}

const roleOrder = ['planner', 'researcher', 'critic', 'writer'];
const roleRank = (role: string): number => {
  const rank = roleOrder.indexOf(role);
  return rank === -1 ? roleOrder.length : rank;
};

/** The numbered lines of a plan; the whole text when it has none. */
export function parsePlan(text: string): string[] {
  const lines = text
    .split('\n')
    .map((line) => line.replace(/^\[simulated\]\s*/, '').trim())
    .map((line) => /^\d+[.)]\s*(.+)$/.exec(line)?.[1]?.trim())
    .filter((line): line is string => line !== undefined && line.length > 0);
  return lines.length > 0 ? lines.slice(0, 8) : [text.trim()];
}
