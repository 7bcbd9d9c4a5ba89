import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { temporaryDir } from '../../test/support/local-server.js';
import { InvalidNoiseError } from '../errors/invalid-noise-error.js';
import { KeployConfigError } from '../errors/keploy-config-error.js';
import { DEFAULT_KEPLOY_CONFIG, readKeployConfig } from './keploy-config.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => {
  ({ dir, remove } = await temporaryDir());
});
afterEach(async () => remove());

const configWith = async (text: string): Promise<string> => {
  const file = join(dir, 'keploy.yml');
  await writeFile(file, text);
  return file;
};

describe('readKeployConfig', () => {
  it("gives Keploy's defaults without a file: arrays in any order, non-JSON bodies not compared", async () => {
    expect(await readKeployConfig(join(dir, 'keploy.yml'))).toBe(DEFAULT_KEPLOY_CONFIG);
    expect(DEFAULT_KEPLOY_CONFIG).toMatchObject({ ignoreOrdering: true, compareAll: false });
  });

  it('reads global and per-test-set noise: bare body keys at any depth, dotted ones as paths, "*" as the whole body', async () => {
    const file = await configWith([
      'test:',
      '    globalNoise:',
      '        global:',
      '            body: { updatedAt: [], meta.id: ["^req-"] }',
      '            header: { Date: [] }',
      '        test-sets:',
      '            test-set-1:',
      '                body: { "*": ["*"] }',
      '    ignoreOrdering: false',
      '    compareAll: true',
    ].join('\n'));
    expect(await readKeployConfig(file)).toEqual({
      file,
      global: { noise: { 'body.meta.id': ['^req-'], 'header.Date': [] }, anyDepth: { updatedAt: [] } },
      testSets: { 'test-set-1': { noise: { body: [] }, anyDepth: {} } },
      ignoreOrdering: false,
      compareAll: true,
      selectedTests: {},
    });
  });

  it('reads selectedTests, and refuses one that is not a map of lists', async () => {
    const file = await configWith('test:\n    selectedTests:\n        test-set-0: [test-2]\n        test-set-1: []\n');
    expect((await readKeployConfig(file)).selectedTests).toEqual({ 'test-set-0': ['test-2'], 'test-set-1': [] });
    await configWith('test:\n    selectedTests:\n        test-set-0: test-2\n');
    await expect(readKeployConfig(file)).rejects.toThrow(`${file}: test.selectedTests.test-set-0 must be a list of test case names, got "test-2"`);
  });

  it('refuses a setting of the wrong type and invalid YAML with KeployConfigError naming the file and key', async () => {
    const file = await configWith('test:\n    ignoreOrdering: "yes"\n');
    await expect(readKeployConfig(file)).rejects.toThrow(`${file}: test.ignoreOrdering must be true or false, got "yes"`);
    await configWith('test: [unclosed');
    const error = await readKeployConfig(file).catch((caught: unknown) => caught);
    expect(KeployConfigError.isInstance(error)).toBe(true);
  });

  it('refuses noise that is not a list or not RE2 with InvalidNoiseError naming the key', async () => {
    const file = await configWith('test:\n    globalNoise:\n        test-sets:\n            test-set-0:\n                header: { X-Id: ["(?<=a)b"] }\n');
    const error = await readKeployConfig(file).catch((caught: unknown) => caught);
    expect(InvalidNoiseError.isInstance(error)).toBe(true);
    expect((error as InvalidNoiseError).key).toBe('test.globalNoise.test-sets.test-set-0.header.X-Id');
  });
});
