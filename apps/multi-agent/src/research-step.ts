import { StateConflictError, type AgentContext } from '@tta/agent-context';
import type { AgentStats } from './agent-stats.js';
import { backgroundPrompt, researchPrompt } from './prompts.js';
import type { Finding } from './team-records.js';
import { teamKeys } from './team-keys.js';
import type { TeamModel } from './team-model.js';

/** One sub-question to research. */
export interface ResearchTask {
  readonly question: string;
  readonly subQuestion: string;
  readonly index: number;
}

/**
 * Claims sub-question `task.index` on the blackboard (compare-and-set on a fresh key: exactly one
 * researcher wins, in this process or another), researches it and writes the finding back.
 * Resolves with undefined when another researcher holds the claim; `onClaimed` runs once the claim is won.
 */
export async function researchSubQuestion(
  model: TeamModel,
  stats: AgentStats,
  context: AgentContext,
  task: ResearchTask,
  onClaimed?: () => void,
): Promise<Finding | undefined> {
  try {
    await context.blackboard.compareAndSet(teamKeys.claim(task.index), 0, stats.agent);
  } catch (error) {
    if (StateConflictError.isInstance(error)) return undefined;
    throw error;
  }
  onClaimed?.();
  const background = await model.ask(stats, context, { messages: backgroundPrompt(task.question) });
  const response = await model.ask(stats, context, { messages: researchPrompt(task.question, task.subQuestion, background.text) });
  const finding: Finding = { index: task.index, subQuestion: task.subQuestion, text: response.text, by: stats.agent };
  await context.blackboard.set(teamKeys.finding(task.index), finding);
  return finding;
}
