// Keploy files from an outside source: a name read from a file, an option or a flag never makes the
// package write outside its folder, and an oversized file is refused before it is read.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '@tta/primitives';
import {
  FileTooLargeError, PathOutsideFolderError, TooManyDocumentsError, UnsafeNameError, readMocks, readTestSet, recordIncoming, startRecording, writeTestSet,
  type TestSet,
} from '@tta/keploy-testing';
// The CLI is not a package export; its entry function is what the `tta-keploy` binary runs.
import { main } from '../../packages/keploy-testing/src/cli-main.js';
import { record } from './figures.js';
import { collectGarbage } from './leak-probe.js';

const MiB = 1024 * 1024;
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tta-attack-keploy-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Every file under `dir`, relative, sorted: what a run left behind. */
const filesUnder = (dir: string): string[] => (readdirSync(dir, { recursive: true }) as string[]).sort();

const testCaseYaml = (name: string): string =>
  `version: api.keploy.io/v1beta1\nkind: Http\nname: ${JSON.stringify(name)}\nspec:\n    req:\n        method: GET\n        url: http://localhost/\n    resp:\n        status_code: 200\n`;

const mockYaml = (name: string): string =>
  `version: api.keploy.io/v1beta1\nkind: Http\nname: ${JSON.stringify(name)}\nspec:\n    req:\n        method: GET\n        url: http://api.test/\n    resp:\n        status_code: 200\n        body: ok\n`;

const httpTest = (name: string): TestSet['tests'][number] => ({
  kind: 'Http', name, request: { method: 'GET', url: 'http://localhost/', headers: {}, body: '', timestamp: '0001-01-01T00:00:00Z' },
  response: { status: 200, statusMessage: 'OK', headers: {}, body: '', timestamp: '0001-01-01T00:00:00Z' },
  noise: {}, created: 0, curl: '',
});

const badNames = ['../../../evil', '..', '.', '', 'a/b', 'a\\b', 'nul\0byte', '/etc/evil', '//x', 'C:evil', 'C:\\evil'];

describe('attack: path traversal through Keploy names', () => {
  it('refuses a test case named ../../../evil read from a file, and writes nothing outside the test set', async () => {
    const source = join(root, 'in', 'keploy', 'test-set-0');
    mkdirSync(join(source, 'tests'), { recursive: true });
    writeFileSync(join(source, 'tests', 'test-1.yaml'), testCaseYaml('../../../evil'));
    const target = join(root, 'out', 'keploy', 'test-set-0');
    const error = await readTestSet(source).then(async (set) => writeTestSet(target, set)).catch((caught: unknown) => caught);
    expect(UnsafeNameError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('test-1.yaml');
    expect(existsSync(join(root, 'out', 'evil.yaml'))).toBe(false);
    expect(filesUnder(root).filter((file) => file.includes('evil'))).toEqual([]);
  });

  it('refuses a mock with a path in its name read from mocks.yaml', async () => {
    const source = join(root, 'keploy', 'test-set-0');
    mkdirSync(source, { recursive: true });
    writeFileSync(join(source, 'mocks.yaml'), `${mockYaml('mock-0')}---\n${mockYaml('../../evil')}`);
    const error = await readTestSet(source).catch((caught: unknown) => caught);
    expect(UnsafeNameError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('mocks.yaml');
  });

  it('refuses every unsafe test case name given to writeTestSet, writing no file outside the test set', async () => {
    const target = join(root, 'a', 'b', 'keploy', 'test-set-0');
    for (const name of badNames) {
      const error = await writeTestSet(target, { tests: [httpTest(name)], mocks: [] }).catch((caught: unknown) => caught);
      expect(UnsafeNameError.isInstance(error), `name ${JSON.stringify(name)}`).toBe(true);
    }
    expect(filesUnder(root).filter((file) => !file.startsWith(join('a', 'b', 'keploy', 'test-set-0')) && file.endsWith('.yaml'))).toEqual([]);
    expect(existsSync('/etc/evil.yaml')).toBe(false);
  });

  it('refuses to write test cases through a tests/ link planted in the test set, leaving its target empty', async () => {
    const set = join(root, 'keploy', 'test-set-0');
    mkdirSync(set, { recursive: true });
    mkdirSync(join(root, 'victim'));
    symlinkSync(join(root, 'victim'), join(set, 'tests'));
    const error = await writeTestSet(set, { tests: [httpTest('test-1')], mocks: [] }).catch((caught: unknown) => caught);
    expect(PathOutsideFolderError.isInstance(error)).toBe(true);
    expect(readdirSync(join(root, 'victim'))).toEqual([]);
  });

  it('does not quote a linked credentials file in the error for its invalid YAML', async () => {
    const set = join(root, 'keploy', 'test-set-0');
    mkdirSync(join(set, 'tests'), { recursive: true });
    writeFileSync(join(root, 'credentials'), '[default]\naws_secret_access_key = canary-5ecret-value\n');
    symlinkSync(join(root, 'credentials'), join(set, 'tests', 'test-1.yaml'));
    writeFileSync(join(set, 'mocks.yaml'), 'kind: Http\nname: mock-0\n---\n[default]\ntoken = canary-5ecret-value\n');
    for (const read of [() => readTestSet(set), () => readMocks(set)]) {
      const error = await read().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).not.toContain('canary-5ecret-value');
    }
  });

  it('refuses startRecording({ testSet: ".." }) with InvalidOptionsError before writing one level up', async () => {
    const dir = join(root, 'keploy');
    for (const testSet of badNames) {
      const error = await startRecording({ dir, testSet, mode: 'record', env: {} }).then(async (session) => session.stop()).catch((caught: unknown) => caught);
      expect(InvalidOptionsError.isInstance(error), `testSet ${JSON.stringify(testSet)}`).toBe(true);
    }
    expect(existsSync(join(root, 'mocks.yaml'))).toBe(false);
    expect(filesUnder(root)).toEqual([]);
  });

  it('refuses recordIncoming({ testSet: ".." }) with InvalidOptionsError', () => {
    for (const testSet of badNames) {
      expect(() => recordIncoming({ dir: join(root, 'keploy'), testSet }), `testSet ${JSON.stringify(testSet)}`).toThrow(InvalidOptionsError);
    }
    expect(filesUnder(root)).toEqual([]);
  });

  it('makes the CLI exit with 2 and a clear message on a bad --test-set, writing nothing', async () => {
    const dir = join(root, 'keploy');
    mkdirSync(join(dir, 'test-set-0'), { recursive: true });
    for (const testSet of ['..', '../..', '/etc', 'a/../../b', '.']) {
      const lines: string[] = [];
      const code = await main(['test', '--dir', dir, '--base-url', 'http://127.0.0.1:9', '--test-set', testSet, '--no-color'], (text) => lines.push(text));
      expect(code, `--test-set ${testSet}`).toBe(2);
      expect(lines.join('\n')).toContain('--test-set');
    }
    expect(filesUnder(root)).toEqual(['keploy', join('keploy', 'test-set-0')]);
  });
});

describe('attack: oversized Keploy files', () => {
  const rssGrowthMiB = async (work: () => Promise<unknown>): Promise<{ error: unknown; growthMiB: number }> => {
    await collectGarbage();
    const before = process.memoryUsage().rss;
    const error = await work().catch((caught: unknown) => caught);
    const growthMiB = (process.memoryUsage().rss - before) / MiB;
    return { error, growthMiB };
  };

  it('refuses a 300 MiB mocks.yaml over the default 256 MiB limit without reading it', async () => {
    const set = join(root, 'keploy', 'test-set-0');
    mkdirSync(set, { recursive: true });
    const file = join(set, 'mocks.yaml');
    // A sparse file: stat reports 300 MiB without using the disk; reading it would cost far more in memory.
    writeFileSync(file, mockYaml('mock-0'));
    truncateSync(file, 300 * MiB);
    const { error, growthMiB } = await rssGrowthMiB(() => readTestSet(set));
    expect(FileTooLargeError.isInstance(error)).toBe(true);
    const tooLarge = error as FileTooLargeError;
    expect(tooLarge).toMatchObject({ file, sizeBytes: 300 * MiB, limitBytes: 256 * MiB });
    expect(tooLarge.message).toContain(file);
    expect(tooLarge.message).toContain('300.0 MiB');
    expect(tooLarge.message).toContain('256.0 MiB');
    expect(tooLarge.message).toContain('maxFileBytes');
    record('keployOversizedFileRssGrowthMiB', Math.round(growthMiB * 10) / 10);
    expect(growthMiB).toBeLessThan(32);
  });

  it('refuses a real 23 MiB mocks.yaml over a configured 16 MiB limit, in replay as in readTestSet', async () => {
    const set = join(root, 'keploy', 'test-set-0');
    mkdirSync(set, { recursive: true });
    const file = join(set, 'mocks.yaml');
    const body = 'x'.repeat(64 * 1024);
    const documents: string[] = [];
    for (let index = 0; index < 368; index++) documents.push(mockYaml(`mock-${index}`).replace('body: ok', `body: ${body}`));
    writeFileSync(file, documents.join('---\n'));
    const { error, growthMiB } = await rssGrowthMiB(() => readTestSet(set, { maxFileBytes: 16 * MiB }));
    expect(FileTooLargeError.isInstance(error)).toBe(true);
    expect((error as FileTooLargeError).limitBytes).toBe(16 * MiB);
    record('keployCappedRealFileRssGrowthMiB', Math.round(growthMiB * 10) / 10);
    expect(growthMiB).toBeLessThan(32);
    const replay = await startRecording({ dir: join(root, 'keploy'), testSet: 'test-set-0', mode: 'replay', env: {}, maxFileBytes: 16 * MiB }).catch((caught: unknown) => caught);
    expect(FileTooLargeError.isInstance(replay)).toBe(true);
  });

  it('refuses a 23 MiB mocks.yaml of 1,100,000 tiny documents over the default 1,000,000 before parsing them', async () => {
    const set = join(root, 'keploy', 'test-set-0');
    mkdirSync(set, { recursive: true });
    const file = join(set, 'mocks.yaml');
    // Each 22-byte document would become a mock of close to 1 KiB: about 1 GiB from a file under the byte limit.
    writeFileSync(file, 'name: m\nkind: Http\n---\n'.repeat(1_100_000));
    const { error, growthMiB } = await rssGrowthMiB(() => readTestSet(set));
    expect(TooManyDocumentsError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ file, limit: 1_000_000 });
    record('keployManyDocumentsRssGrowthMiB', Math.round(growthMiB * 10) / 10);
    // What remains is the text itself (the file buffer and its string, 2 x 23 MiB), not parsed documents.
    expect(growthMiB).toBeLessThan(80);
  });
});
