// Quick start: the core package alone. Every model call here is simulated, offline and deterministic.
import { WorkflowContext, metrics, parallel, step } from '@tta/primitives';

const normalise = step('normalise', (question: string) => question.trim().replace(/\s+/g, ' '));
const keywords = step('keywords', (question: string) => question.toLowerCase().split(' ').filter((word) => word.length > 3));
const length = step('length', (question: string) => question.length);
const answer = step('answer', ([words, size]: [string[], number]) => `[simulated] ${words.length} keywords in ${size} characters: ${words.join(', ')}`);

const workflow = normalise.pipe(parallel(keywords, length)).pipe(answer);

const context = WorkflowContext.create({ data: { user: 'quickstart' } });
console.log(await workflow.execute(context, '  What makes   composable primitives reliable?  '));
console.log(JSON.stringify(metrics.snapshot(), null, 2));
