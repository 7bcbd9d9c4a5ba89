import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeRunStoreContract } from '../../testing/index.js';
import { FileRunStore } from './file-run-store.js';

const root = await mkdtemp(join(tmpdir(), 'tta-file-run-store-'));
afterAll(() => rm(root, { recursive: true, force: true }));

let sequence = 0;
describeRunStoreContract('FileRunStore', async ({ clock, retentionMs }) => new FileRunStore({ dir: join(root, `contract-${++sequence}`), clock, retentionMs }));
