import { InMemoryHandoffQueue } from './in-memory-handoff-queue.js';
import { describeHandoffQueueContract } from '../testing/handoff-queue-suite.js';

describeHandoffQueueContract('InMemoryHandoffQueue', async () => new InMemoryHandoffQueue());
