import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { FileRunStore, MemoryRunStore } from '@tta/durable';
import { describeDurableEngineContract } from '@tta/durable/testing';

const root = await mkdtemp(join(tmpdir(), 'tta-durable-engine-'));
afterAll(() => rm(root, { recursive: true, force: true }));
let sequence = 0;

describeDurableEngineContract('MemoryRunStore', async () => new MemoryRunStore());
describeDurableEngineContract('FileRunStore', async () => new FileRunStore({ dir: join(root, `engine-${++sequence}`) }));
