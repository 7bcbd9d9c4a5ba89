import { SIMULATED_LABEL, type ModelRequest, type RandomSource } from '@tta-apps/model-provider';

const aspects = [
  'What are the most common ways it fails in production',
  'How do retries, fallbacks and timeouts limit the damage',
  'What should be measured to know that it works',
  'How are cost and latency kept within budget',
  'How is answer quality evaluated before and after a release',
  'How are secrets and user data kept out of prompts and logs',
];
const practices = [
  'bounded retries with jitter', 'a cheaper fallback model', 'per-call timeouts', 'a shared answer cache', 'circuit breakers per provider',
  'p95 latency alerts', 'token budgets per request', 'golden-set evaluations', 'traces that carry the correlation id', 'redacted logs',
];

/**
 * Writes the simulated team's answers: a plan for the planner, findings for researchers,
 * verdicts for critics and the final text for the writer, all drawn from the call's seeded
 * random source so that a seed reproduces the whole run.
 */
export function teamResponder(request: ModelRequest, random: RandomSource): string {
  const system = request.messages[0]?.content ?? '';
  const user = request.messages.at(-1)?.content ?? '';
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  if (system.startsWith('role:planner')) {
    const count = 3 + Math.floor(random() * 3);
    const shuffled = [...aspects];
    for (let index = shuffled.length - 1; index > 0; index--) {
      const other = Math.floor(random() * (index + 1));
      [shuffled[index], shuffled[other]] = [shuffled[other]!, shuffled[index]!];
    }
    const chosen = shuffled.slice(0, count);
    return chosen.map((aspect, index) => `${index + 1}. ${aspect}?`).join('\n');
  }
  if (system.startsWith('role:researcher') && user.startsWith('Background:')) {
    return `Background: reliability work starts from ${pick(practices)} and ${pick(practices)}.`;
  }
  if (system.startsWith('role:researcher')) {
    const sub = /Sub-question: (.*)$/m.exec(user)?.[1] ?? 'the sub-question';
    return `On "${sub.replace(/\?$/, '')}": the evidence favours ${pick(practices)}; recommend ${pick(practices)}.`;
  }
  if (system.startsWith('role:critic')) {
    const approve = random() < 0.75;
    return approve ? `VERDICT: approve. The findings are consistent; ${pick(practices)} is well covered.` : `VERDICT: revise. Say more about ${pick(practices)}.`;
  }
  if (system.startsWith('role:writer')) {
    const recommendations = [...user.matchAll(/recommend ([^.]+)\./g)].map((match) => match[1]!);
    const unique = [...new Set(recommendations)];
    const question = /^Question: (.*)$/m.exec(user)?.[1] ?? '';
    return [
      `To answer "${question}": treat every model call as unreliable, wrap it in a time limit, a bounded retry and a fallback, cache what repeats, and watch latency, errors and cost per step.`,
      ...unique.map((item, index) => `${index + 1}. Use ${item}.`),
    ].join('\n');
  }
  return `${SIMULATED_LABEL} no script for this prompt`;
}
