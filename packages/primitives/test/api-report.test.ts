import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// The repository's `pnpm api:check` / `pnpm api:update` script, run on a small package of its own.
const script = fileURLToPath(new URL('../../../scripts/api-report.mjs', import.meta.url));
const roots: string[] = [];

function fixture(declarations: string): string {
  const root = mkdtempSync(join(tmpdir(), 'api-report-'));
  roots.push(root);
  const packageDir = join(root, 'packages', 'demo');
  mkdirSync(join(packageDir, 'dist'), { recursive: true });
  writeFileSync(
    join(packageDir, 'package.json'),
    JSON.stringify({ name: '@tta/demo', type: 'module', exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' } }),
  );
  writeFileSync(join(packageDir, 'dist', 'index.d.ts'), declarations);
  return root;
}

function run(root: string, ...args: string[]): { code: number; output: string } {
  try {
    const output = execFileSync(process.execPath, [script, ...args, '--root', root], { encoding: 'utf8', stdio: 'pipe' });
    return { code: 0, output };
  } catch (error) {
    const failure = error as { status: number; stdout: string; stderr: string };
    return { code: failure.status, output: failure.stdout + failure.stderr };
  }
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('api-report (pnpm api:check / api:update)', { timeout: 60_000 }, () => {
  it('writes a report per entry point that the check then accepts', () => {
    const root = fixture('/** Doubles. */\nexport declare function double(value: number): number;\n');
    expect(run(root).code).toBe(0);
    const report = readFileSync(join(root, 'packages', 'demo', 'api', 'index.api.md'), 'utf8');
    expect(report).toContain('function double(value: number): number;');
    expect(report).not.toContain('Doubles.');
    expect(run(root, '--check')).toEqual({ code: 0, output: expect.stringContaining('1 entry points match') });
  });

  it('fails the check when the built surface changed and the report was not regenerated', () => {
    const root = fixture('export declare function double(value: number): number;\n');
    run(root);
    writeFileSync(join(root, 'packages', 'demo', 'dist', 'index.d.ts'), 'export declare function double(value: number): number;\nexport declare const triple: number;\n');
    const result = run(root, '--check');
    expect(result.code).toBe(1);
    expect(result.output).toContain('packages/demo/api/index.api.md differs from the built .d.ts: run pnpm api:update');
  });

  it('fails the check when a built .d.ts still carries an @internal declaration', () => {
    const root = fixture('export declare function double(value: number): number;\n/** @internal */\nexport declare const secret: number;\n');
    run(root);
    const result = run(root, '--check');
    expect(result.code).toBe(1);
    expect(result.output).toContain('packages/demo/dist/index.d.ts still has an @internal declaration');
  });

  it('fails when a built .d.ts names a declaration that is missing (as stripInternal can leave it)', () => {
    const root = fixture('export declare class Box {\n    private readonly [brand];\n}\n');
    const result = run(root, '--check');
    expect(result.code).toBe(1);
    expect(result.output).toContain("Cannot find name 'brand'");
  });
});
