import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readTestSet, runTestSet } from '@tta/keploy-testing';
import { startSampleApp, type SampleApp } from '../src/app.js';
import { FAKE_UPSTREAM_API_KEY, startFakeUpstream } from '../src/fake-upstream.js';
import { driveSampleTraffic } from '../src/record.js';

const appRoot = fileURLToPath(new URL('..', import.meta.url));
const keployDir = join(appRoot, 'keploy');
const cliPath = fileURLToPath(new URL('../../../packages/keploy-testing/dist/cli.js', import.meta.url));
// Nothing listens on port 9: any upstream call that escaped the mocks would fail.
const unreachableUpstream = 'http://127.0.0.1:9';

const runCli = (args: readonly string[]): Promise<{ code: number; stdout: string }> =>
  new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 99;
      resolve({ code, stdout: `${stdout}${stderr}` });
    });
  });

const requireBuiltCli = (): void => {
  if (!existsSync(cliPath)) {
    throw new Error(`${cliPath} is missing: build it first with \`pnpm --filter @tta/keploy-testing build\` (the root \`pnpm test\` does).`);
  }
};

let app: SampleApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('keploy-sample with tta-keploy', () => {
  it('records test cases and mocks from real traffic, without the upstream key in any file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keploy-sample-'));
    const upstream = await startFakeUpstream();
    try {
      app = await startSampleApp({ upstreamUrl: upstream.url, apiKey: FAKE_UPSTREAM_API_KEY, dir, mode: 'record', env: {} });
      await driveSampleTraffic(app.url);
      await app.close();
      app = undefined;
      const set = await readTestSet(join(dir, 'test-set-0'));
      expect(set.tests.map((test) => test.name)).toEqual(['test-1', 'test-2', 'test-3', 'test-4']);
      expect(set.mocks.map((mock) => mock.name)).toEqual(['mock-0', 'mock-1', 'mock-2']);
      for (const file of ['mocks.yaml', ...(await readdir(join(dir, 'test-set-0', 'tests'))).map((name) => `tests/${name}`)]) {
        const text = await readFile(join(dir, 'test-set-0', file), 'utf8');
        expect(text).not.toContain(FAKE_UPSTREAM_API_KEY);
        expect(text).not.toContain('sample-session-token-123456');
      }
      // The recorded set replays offline against the same service, in process.
      app = await startSampleApp({ upstreamUrl: unreachableUpstream, apiKey: 'unused', dir, mode: 'off', env: {} });
      const result = await runTestSet({ dir, testSet: 'test-set-0', baseUrl: app.url });
      expect(result).toMatchObject({ ok: true, passed: 4, failed: 0, unusedMocks: [] });
    } finally {
      await upstream.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('passes `tta-keploy test` on the committed recorded set, with the service replaying its mocks', async () => {
    requireBuiltCli();
    app = await startSampleApp({ upstreamUrl: unreachableUpstream, apiKey: 'unused', dir: keployDir, mode: 'replay', env: {} });
    const { code, stdout } = await runCli(['test', '--dir', keployDir, '--base-url', app.url, '--test-set', 'test-set-0']);
    expect(stdout).toContain('4 passed, 0 failed, 4 total');
    expect(code).toBe(0);
    expect(app.session.unmatched).toEqual([]);
  });

  it('fails `tta-keploy test` with a readable diff when the service answers differently', async () => {
    requireBuiltCli();
    app = await startSampleApp({ upstreamUrl: unreachableUpstream, apiKey: 'unused', dir: keployDir, mode: 'replay', env: {}, greeting: 'Howdy' });
    const { code, stdout } = await runCli(['test', '--dir', keployDir, '--base-url', app.url]);
    expect(code).toBe(1);
    expect(stdout).toContain('✗ test-4  POST /greetings');
    expect(stdout).toContain('body.message');
    expect(stdout).toContain('- expected: "Hello, Ada Lovelace!"');
    expect(stdout).toContain('+ actual:   "Howdy, Ada Lovelace!"');
    expect(stdout).toContain('3 passed, 1 failed, 4 total');
  });

  it('exits with 2 and names the set when the test set does not exist', async () => {
    requireBuiltCli();
    const { code, stdout } = await runCli(['test', '--dir', keployDir, '--base-url', 'http://127.0.0.1:9', '--test-set', 'test-set-99']);
    expect(code).toBe(2);
    expect(stdout).toContain('Test set "test-set-99" not found');
  });
});
