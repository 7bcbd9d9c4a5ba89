import { parseArgs } from 'node:util';
import { TtaError } from '@tta/primitives';
import { nameProblem } from './files/safe-name.js';
import { formatTestSetResult } from './runner/format-result.js';
import { runTestSets } from './runner/run-test-set.js';

const usage = `Usage: tta-keploy test --dir <keploy folder> --base-url <url> [--test-set <name>] [options]

Replays the recorded test cases of each test set against a running service and compares the responses.
Exits with 0 when every test case passes, 1 when one fails, 2 on a usage or setup error.

Options:
  --dir <path>          folder that holds the test-set-N folders, or the app folder that holds
                        keploy/ (as Keploy's --path); keploy.yml is read beside keploy/ (default: keploy)
  --config <file>       keploy.yml to apply (globalNoise, ignoreOrdering, compareAll);
                        --no-config reads none (default: keploy.yml beside the keploy folder)
  --strict-mocks        fail a test set whose mocks.yaml holds mocks that are not replayed
                        (Mongo, MySQL, Postgres...; only HTTP mocks are)
  --noise-preset <name> ignore values that change with time: time, jwt (repeatable)
  --base-url <url>      where the service listens, e.g. http://127.0.0.1:3000 (required)
  --test-set <name>     run only this test set (default: all)
  --test <name>         run only this test case (repeatable)
  --noise <field>       also ignore this field, e.g. header.X-Build or body.createdAt (repeatable)
  --header <k: v>       set this header on every request (repeatable)
  --timeout <ms>        time allowed for each request (default: 30000)
  --max-file-bytes <n>  largest Keploy file read, in bytes (default: 268435456, 256 MiB)
  --max-documents <n>   most YAML documents read from mocks.yaml or tests/ (default: 1000000)
  --no-color            plain output
  -h, --help            show this help

The service's own outgoing calls are not mocked by this process: start the service with
startRecording({ mode: 'replay' }) (or TTA_RECORD_MODE=replay if it reads it) so it answers from mocks.yaml.`;

/** Runs the CLI with `argv` (without `node` and the script); resolves to the exit code. */
export async function main(argv: readonly string[], out: (text: string) => void = (text) => process.stdout.write(`${text}\n`)): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        dir: { type: 'string', default: 'keploy' },
        config: { type: 'string' },
        'no-config': { type: 'boolean', default: false },
        'strict-mocks': { type: 'boolean', default: false },
        'noise-preset': { type: 'string', multiple: true },
        'base-url': { type: 'string' },
        'test-set': { type: 'string' },
        test: { type: 'string', multiple: true },
        noise: { type: 'string', multiple: true },
        header: { type: 'string', multiple: true },
        timeout: { type: 'string' },
        'max-file-bytes': { type: 'string' },
        'max-documents': { type: 'string' },
        'no-color': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    out(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(usage);
    return 0;
  }
  if (positionals[0] !== 'test' || positionals.length !== 1) {
    out(`Unknown command "${positionals.join(' ')}".\n\n${usage}`);
    return 2;
  }
  if (values['base-url'] === undefined) {
    out(`--base-url is required.\n\n${usage}`);
    return 2;
  }
  const testSet = values['test-set'];
  const testSetProblem = testSet === undefined ? undefined : nameProblem(testSet);
  if (testSetProblem !== undefined) {
    // Refused here, before any file is touched, so the message names the flag rather than the option.
    out(`--test-set must be the name of a test set folder inside --dir, such as test-set-0 (got ${JSON.stringify(testSet)}: ${testSetProblem})`);
    return 2;
  }
  const maxFileBytes = values['max-file-bytes'] === undefined ? undefined : Number(values['max-file-bytes']);
  if (maxFileBytes !== undefined && !(Number.isSafeInteger(maxFileBytes) && maxFileBytes > 0)) {
    out(`--max-file-bytes must be a positive whole number of bytes (got "${values['max-file-bytes']}")`);
    return 2;
  }
  const maxDocuments = values['max-documents'] === undefined ? undefined : Number(values['max-documents']);
  if (maxDocuments !== undefined && !(Number.isSafeInteger(maxDocuments) && maxDocuments > 0)) {
    out(`--max-documents must be a positive whole number (got "${values['max-documents']}")`);
    return 2;
  }
  const headers: Record<string, string> = {};
  for (const header of values.header ?? []) {
    const colon = header.indexOf(':');
    if (colon <= 0) {
      out(`--header must look like "Name: value" (got "${header}")`);
      return 2;
    }
    headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
  }
  const presets = values['noise-preset'] ?? [];
  for (const preset of presets) {
    if (preset !== 'time' && preset !== 'jwt') {
      out(`--noise-preset must be time or jwt (got "${preset}")`);
      return 2;
    }
  }
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout);
  const color = !values['no-color'] && process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
  try {
    const results = await runTestSets({
      dir: values.dir ?? 'keploy',
      baseUrl: values['base-url'],
      mocks: false,
      headers,
      noise: Object.fromEntries((values.noise ?? []).map((field) => [field, []])),
      strictMocks: values['strict-mocks'] === true,
      noisePresets: presets as Array<'time' | 'jwt'>,
      ...(values['no-config'] === true ? { config: false as const } : values.config === undefined ? {} : { config: values.config }),
      ...(values['test-set'] === undefined ? {} : { testSet: values['test-set'] }),
      ...(values.test === undefined ? {} : { tests: values.test }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(maxFileBytes === undefined ? {} : { maxFileBytes }),
      ...(maxDocuments === undefined ? {} : { maxDocuments }),
    });
    for (const result of results) out(formatTestSetResult(result, { color }));
    const failed = results.reduce((sum, result) => sum + result.failed, 0);
    const total = results.reduce((sum, result) => sum + result.total, 0);
    const unreplayed = results.reduce((sum, result) => sum + Object.values(result.unreplayedMocks).reduce((count, number) => count + number, 0), 0);
    if (failed > 0) out(`${failed} of ${total} test case(s) failed.`);
    else if (results.some((result) => !result.ok)) out(`All ${total} test case(s) passed, but ${unreplayed} mock(s) were not replayed (--strict-mocks).`);
    else out(`All ${total} test case(s) passed.${unreplayed > 0 ? ` ${unreplayed} non-HTTP mock(s) present and not replayed.` : ''}`);
    return results.every((result) => result.ok) ? 0 : 1;
  } catch (error) {
    out(`tta-keploy: ${TtaError.isInstance(error) || error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
}
