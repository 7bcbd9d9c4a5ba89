// Declarations the TSDoc examples of @tta/redis assume (see scripts/tsdoc-preludes/primitives.ts).
declare const context: WorkflowContext;
declare const llm: WorkflowPrimitive<string, string>;
declare const redis: RedisConnection;
declare const connection: RedisConnection;
declare const summarise: WorkflowPrimitive<{ readonly url: string }, string>;
declare const research: WorkflowPrimitive<{ readonly topic: string }, string>;
declare const finding: string;
import type { Queue, QueueEvents } from 'bullmq';
declare const queue: Queue<WorkflowJobData<{ readonly url: string }>, string>;
declare const events: QueueEvents;
declare const pool: WorkerPool;
declare const sessionId: string;
declare const nextPlan: { readonly steps: readonly string[] };
declare const url: string;
