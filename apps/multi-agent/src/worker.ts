// A research worker process for `--redis`: takes research jobs from a BullMQ queue (through
// @tta/redis's WorkerPool), shares the blackboard and the model cache through Redis.
import { parseArgs } from 'node:util';
import { AgentContext } from '@tta/agent-context';
import { step, type WorkflowContext } from '@tta/primitives';
import { RedisCacheStore, RedisSharedState, WorkerPool } from '@tta/redis';
import type { ModelResponse } from '@tta-apps/model-provider';
import { createTeamProviders } from './providers.js';
import { researchSubQuestion, type ResearchTask } from './research-step.js';
import { TeamModel } from './team-model.js';
import { workerProgress, type ResearchJobOutput } from './worker-protocol.js';

const { values } = parseArgs({
  options: {
    redis: { type: 'string' },
    prefix: { type: 'string' },
    queue: { type: 'string' },
    name: { type: 'string' },
    seed: { type: 'string' },
    'failure-rate': { type: 'string' },
    concurrency: { type: 'string', default: '1' },
  },
});
if (values.redis === undefined || values.prefix === undefined || values.queue === undefined || values.name === undefined) {
  console.error('worker: --redis, --prefix, --queue and --name are required');
  process.exit(2);
}
const connection = { url: values.redis };
const prefix = values.prefix;
const agent = `researcher@${values.name}`;
const progress = workerProgress((line) => process.stdout.write(line));
const { primary, backup } = createTeamProviders(Number(values.seed ?? 7), Number(values['failure-rate'] ?? 0.1));
const sharedState = new RedisSharedState({ connection, prefix });
const cacheStore = new RedisCacheStore<ModelResponse>({ connection, prefix, namespace: 'team-model' });

const research = step('research', async (task: ResearchTask, context: WorkflowContext): Promise<ResearchJobOutput> => {
  const model = new TeamModel({ primary, backup, cacheStore, progress });
  const stats = model.statsFor(agent, 'researcher');
  const agentContext = AgentContext.create({ workflow: context, agent: { id: agent, role: 'researcher' }, sharedState });
  const finding = await researchSubQuestion(model, stats, agentContext, task, () => progress.status(agent, 'working', `sub-question ${task.index + 1}`));
  progress.status(agent, 'done', finding === undefined ? `sub-question ${task.index + 1} already claimed` : `sub-question ${task.index + 1}`);
  return { finding: finding ?? null, summary: stats.summary(), latenciesMs: stats.latenciesMs };
});

const pool = new WorkerPool({ workflows: { research }, connection, prefix, queueName: values.queue, concurrency: Number(values.concurrency), workerName: agent });
await pool.waitUntilReady();
process.stdout.write(`${JSON.stringify({ type: 'ready', worker: agent })}\n`);

let closing = false;
const close = () => {
  if (closing) return;
  closing = true;
  void (async () => {
    await pool.close();
    await sharedState.close();
    await cacheStore.close();
    process.exit(0);
  })();
};
process.on('SIGTERM', close);
process.on('SIGINT', close);
