import type { ChatMessage } from '@tta-apps/model-provider';

/** The roles of the research team; each prompt starts with its role tag. */
export type TeamRole = 'planner' | 'researcher' | 'critic' | 'writer';

/** The tag that opens every system prompt, read back by the simulated responder. */
export const roleTag = (role: TeamRole): string => `role:${role}`;

/** Lenses of the critics that review the findings together. */
export const CRITIC_LENSES = ['accuracy', 'completeness', 'risk'] as const;

/** The planner's request: split the question into sub-questions, one per line. */
export function plannerPrompt(question: string): ChatMessage[] {
  return [
    { role: 'system', content: `${roleTag('planner')}\nSplit the research question into 3 to 5 sub-questions, one per numbered line.` },
    { role: 'user', content: question },
  ];
}

/** Background every researcher reads first: the same request for all, so the cache shares it. */
export function backgroundPrompt(question: string): ChatMessage[] {
  return [
    { role: 'system', content: `${roleTag('researcher')}\nGive three sentences of background for the research question.` },
    { role: 'user', content: `Background: ${question}` },
  ];
}

/** A researcher's request for one sub-question. */
export function researchPrompt(question: string, subQuestion: string, background: string): ChatMessage[] {
  return [
    { role: 'system', content: `${roleTag('researcher')}\nAnswer the sub-question in two sentences, with one concrete recommendation.` },
    { role: 'user', content: `Question: ${question}\nBackground: ${background}\nSub-question: ${subQuestion}` },
  ];
}

/** A critic's review of the findings; the answer starts with `VERDICT: approve` or `VERDICT: revise`. */
export function criticPrompt(lens: string, question: string, findings: readonly string[]): ChatMessage[] {
  return [
    { role: 'system', content: `${roleTag('critic')}\nReview the findings for ${lens}. Start with "VERDICT: approve" or "VERDICT: revise", then one sentence.` },
    { role: 'user', content: `Question: ${question}\nFindings:\n${findings.map((finding) => `- ${finding}`).join('\n')}` },
  ];
}

/** The writer's request: one answer from the findings and the critics' notes. */
export function writerPrompt(question: string, findings: readonly string[], notes: readonly string[]): ChatMessage[] {
  return [
    { role: 'system', content: `${roleTag('writer')}\nWrite the final answer: one paragraph, then the key recommendations as a numbered list.` },
    {
      role: 'user',
      content: `Question: ${question}\nFindings:\n${findings.map((finding) => `- ${finding}`).join('\n')}\nReview notes:\n${notes.map((note) => `* ${note}`).join('\n')}`,
    },
  ];
}
