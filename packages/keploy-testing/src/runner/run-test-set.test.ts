import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '@tta/primitives';
import { FileTooLargeError } from '../errors/file-too-large-error.js';
import type { HttpTestCase } from '../model.js';
import { writeTestSet } from '../test-set-files.js';
import { runTestSet, runTestSets } from './run-test-set.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tta-keploy-run-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('runTestSet', () => {
  it.each(['..', '.', '../..', '/etc', 'a/b', 'C:x'])('refuses testSet %j with InvalidOptionsError instead of running the folder it points to', async (testSet) => {
    const error = await runTestSet({ dir: join(root, 'keploy'), testSet, baseUrl: 'http://127.0.0.1:9', mocks: false }).catch((caught: unknown) => caught);
    expect(InvalidOptionsError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ option: 'testSet' });
  });

  it('refuses a test case file over maxFileBytes with FileTooLargeError', async () => {
    await mkdir(join(root, 'test-set-0', 'tests'), { recursive: true });
    await writeFile(join(root, 'test-set-0', 'tests', 'test-1.yaml'), 'version: api.keploy.io/v1beta1\nkind: Http\nname: test-1\n');
    const error = await runTestSets({ dir: root, baseUrl: 'http://127.0.0.1:9', mocks: false, maxFileBytes: 8 }).catch((caught: unknown) => caught);
    expect(FileTooLargeError.isInstance(error)).toBe(true);
  });

  it.each([2 ** 31 + 1, 9e15, Infinity])('waits for a slow answer with timeoutMs %d instead of failing after 1 ms', async (timeoutMs) => {
    const server = createServer((_request, response) => {
      setTimeout(() => response.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), 30);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const test: HttpTestCase = {
        kind: 'Http',
        name: 'test-1',
        request: { method: 'GET', url: 'http://recorded.example/slow', headers: {}, body: '', timestamp: '2026-01-01T00:00:00.000Z' },
        response: { status: 200, statusMessage: 'OK', headers: { 'Content-Type': 'text/plain' }, body: 'ok', timestamp: '2026-01-01T00:00:00.030Z' },
        noise: {},
        created: 1_767_225_600,
        curl: '',
      };
      await writeTestSet(join(root, 'test-set-0'), { tests: [test], mocks: [] });
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const result = await runTestSet({ dir: root, testSet: 'test-set-0', baseUrl, mocks: false, timeoutMs });
      expect(result.results[0]).toMatchObject({ status: 'passed' });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
