import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from './cli-main.js';

const fixtures = fileURLToPath(new URL('../test/fixtures/ts-nhost/keploy', import.meta.url));

const run = async (args: string[]): Promise<{ code: number; output: string }> => {
  const lines: string[] = [];
  const code = await main(args, (text) => lines.push(text));
  return { code, output: lines.join('\n') };
};

describe('tta-keploy command line', () => {
  it('prints the usage with --help and exits with 0', async () => {
    const { code, output } = await run(['--help']);
    expect(code).toBe(0);
    expect(output).toContain('Usage: tta-keploy test --dir <keploy folder> --base-url <url> [--test-set <name>]');
  });

  it('exits with 2 on a usage error, naming it', async () => {
    expect(await run(['test', '--dir', fixtures])).toMatchObject({ code: 2, output: expect.stringContaining('--base-url is required') });
    expect(await run(['record'])).toMatchObject({ code: 2, output: expect.stringContaining('Unknown command "record"') });
    expect(await run(['test', '--base-url', 'http://x', '--header', 'novalue'])).toMatchObject({ code: 2 });
    expect(await run(['test', '--bogus'])).toMatchObject({ code: 2 });
  });

  it('exits with 2 on a --test-set that is not a plain folder name, before reading anything', async () => {
    for (const testSet of ['..', '../..', '/etc', 'a/../../b', '.', 'C:x']) {
      const { code, output } = await run(['test', '--dir', fixtures, '--base-url', 'http://127.0.0.1:9', '--test-set', testSet]);
      expect(code, testSet).toBe(2);
      expect(output).toContain(`--test-set must be the name of a test set folder inside --dir, such as test-set-0 (got ${JSON.stringify(testSet)}:`);
    }
  });

  it('exits with 2 on a bad --max-file-bytes or --max-documents, and with 2 naming the file when a file is over a limit', async () => {
    expect(await run(['test', '--dir', fixtures, '--base-url', 'http://127.0.0.1:9', '--max-file-bytes', 'lots'])).toMatchObject({
      code: 2,
      output: expect.stringContaining('--max-file-bytes must be a positive whole number of bytes (got "lots")'),
    });
    expect(await run(['test', '--dir', fixtures, '--base-url', 'http://127.0.0.1:9', '--max-documents', '0'])).toMatchObject({
      code: 2,
      output: expect.stringContaining('--max-documents must be a positive whole number (got "0")'),
    });
    expect(await run(['test', '--dir', fixtures, '--base-url', 'http://127.0.0.1:9', '--max-documents', '2'])).toMatchObject({
      code: 2,
      output: expect.stringContaining('holds more than 2 YAML documents'),
    });
    const { code, output } = await run(['test', '--dir', fixtures, '--base-url', 'http://127.0.0.1:9', '--max-file-bytes', '100']);
    expect(code).toBe(2);
    expect(output).toMatch(/^tta-keploy: .*\.yaml is \d+ bytes, over the limit of 100 bytes for Keploy files; raise it with the maxFileBytes option \(--max-file-bytes for tta-keploy\)/);
  });

  it('exits with 2 on an unknown --noise-preset', async () => {
    expect(await run(['test', '--dir', fixtures, '--base-url', 'http://127.0.0.1:9', '--noise-preset', 'dates'])).toMatchObject({
      code: 2,
      output: '--noise-preset must be time or jwt (got "dates")',
    });
  });

  it('lists the keploy.yml, --strict-mocks and app-folder options in its usage', async () => {
    const { output } = await run(['--help']);
    for (const option of ['--config <file>', '--strict-mocks', '--noise-preset <name>', 'or the app folder that holds']) expect(output).toContain(option);
  });

  it('exits with 1 and reports each failure when the service is unreachable', async () => {
    const { code, output } = await run(['test', '--dir', fixtures, '--base-url', 'http://127.0.0.1:9', '--test', 'test-1', '--no-color']);
    expect(code).toBe(1);
    expect(output).toContain('✗ test-1  POST /users');
    expect(output).toContain('request failed');
    expect(output).toContain('1 of 1 test case(s) failed.');
  });
});
