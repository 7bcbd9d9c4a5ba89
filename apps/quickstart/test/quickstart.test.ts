// Proves the zero-dependency promise: @tta/primitives, built from its current sources and packed,
// installed alone into an empty folder, compiles and runs the quick start with nothing else present.
// Everything is built into a temporary folder, so the workspace's own dist/ folders are not touched.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const primitivesDir = join(root, 'packages/primitives');
const quickstartDir = join(root, 'apps/quickstart');
const tsc = join(root, 'node_modules/typescript/bin/tsc');

let scratch: string;
let workDir: string;

function run(command: string, args: readonly string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_PATH: '' } });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${failed.stdout ?? ''}${failed.stderr ?? ''}`, { cause: error });
  }
}

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'tta-quickstart-'));
  // 1. Build the package from its sources into a staging copy and pack it (what `npm publish` ships).
  const stage = join(workDir, 'stage');
  mkdirSync(stage);
  run(process.execPath, [tsc, '-p', join(primitivesDir, 'tsconfig.build.json'), '--outDir', join(stage, 'dist')], root);
  copyFileSync(join(primitivesDir, 'package.json'), join(stage, 'package.json'));
  cpSync(join(primitivesDir, 'README.md'), join(stage, 'README.md'));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', workDir, '--cache', join(workDir, 'npm-cache')], stage)) as Array<{ filename: string }>;
  const tarball = join(workDir, packed[0]!.filename);
  // 2. Install the tarball alone into an empty project.
  scratch = join(workDir, 'app');
  mkdirSync(scratch);
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch-quickstart', private: true, type: 'module' }));
  run('npm', ['install', tarball, '--no-audit', '--no-fund', '--offline', '--ignore-scripts', '--cache', join(workDir, 'npm-cache')], scratch);
  // 3. Compile the quick start there, against the installed package's own type declarations
  //    (no skipLibCheck; the declarations use Symbol.dispose, hence the ESNext.Disposable lib).
  copyFileSync(join(quickstartDir, 'src/main.ts'), join(scratch, 'main.ts'));
  writeFileSync(
    join(scratch, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', lib: ['ES2023', 'ESNext.Disposable', 'DOM'], module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, types: [], outDir: '.' },
      files: ['main.ts'],
    }),
  );
  run(process.execPath, [tsc, '-p', 'tsconfig.json'], scratch);
}, 240_000);

afterAll(() => {
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
});

describe('quick start on the packed core alone', () => {
  it('installs @tta/primitives with no dependency at all', () => {
    const installed = readdirSync(join(scratch, 'node_modules')).filter((entry) => !entry.startsWith('.'));
    expect(installed).toEqual(['@tta']);
    expect(readdirSync(join(scratch, 'node_modules/@tta'))).toEqual(['primitives']);
    const manifest = JSON.parse(readFileSync(join(scratch, 'node_modules/@tta/primitives/package.json'), 'utf8'));
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.peerDependencies ?? {}).toEqual({});
    const lock = JSON.parse(readFileSync(join(scratch, 'package-lock.json'), 'utf8'));
    expect(Object.keys(lock.packages).filter((key) => key !== '')).toEqual(['node_modules/@tta/primitives']);
  });

  it('runs the compiled quick start: pipe, parallel, retry, cache, timeout, fallback and the metrics', () => {
    const output = run(process.execPath, ['main.js'], scratch);
    expect(output).toContain('[simulated] 5 keywords in 42 characters: what, makes, composable, primitives, reliable?');
    expect(output).toMatch(/retry: attempt 1 failed \(\[simulated\] primary-model: HTTP 503 on call 1\)/);
    expect(output).toMatch(/retry: attempt 2 failed/);
    expect(output).toContain('[simulated] primary-model: answer to "Why retry with backoff?"');
    expect(output).toContain('cache: 1 hit(s), 1 miss(es), hit ratio 0.50; primary model called 3 times');
    expect(output).toMatch(/fallback: .*timed out after 100 ms -> backup-model/);
    expect(output).toContain('[simulated] backup-model: short answer to "Is the model stuck?"');
    const metricsTable = output.slice(output.indexOf('5. metrics.snapshot()'));
    for (const name of ['normalise', 'primary-model', 'primary-retry', 'answer-timeout', 'answer-cache', 'hanging-timeout']) {
      expect(metricsTable).toMatch(new RegExp(`\\n\\s+${name}\\s`));
    }
    expect(metricsTable).toMatch(/primary-model\s+step\s+3\s+2\s/);
  });
});
