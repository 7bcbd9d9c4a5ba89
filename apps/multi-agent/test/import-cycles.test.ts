// A cycle between modules makes their load order matter (a value read before its module ran is
// undefined); type-only imports count too, since they are the first step towards a value import.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const sourceDirectory = fileURLToPath(new URL('../src/', import.meta.url));

/** The relative imports of every non-test module in `directory`, as module name -> imported names. */
function importGraph(directory: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(directory)) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const { importedFiles } = ts.preProcessFile(readFileSync(join(directory, file), 'utf8'), true, true);
    const local = importedFiles.map((imported) => imported.fileName).filter((name) => name.startsWith('./'));
    graph.set(file.replace(/\.ts$/, ''), local.map((name) => name.slice(2).replace(/\.js$/, '')));
  }
  return graph;
}

/** Every cycle found by a depth-first walk, each as the path that closes it (`a -> b -> a`). */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const cycles: string[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (module: string): void => {
    const open = path.indexOf(module);
    if (open !== -1) {
      cycles.push([...path.slice(open), module].join(' -> '));
      return;
    }
    if (done.has(module)) return;
    path.push(module);
    for (const next of graph.get(module) ?? []) visit(next);
    path.pop();
    done.add(module);
  };
  for (const module of [...graph.keys()].sort()) visit(module);
  return cycles;
}

describe('apps/multi-agent modules', () => {
  it('import each other without a cycle, type-only imports included', () => {
    const graph = importGraph(sourceDirectory);
    expect(graph.size).toBeGreaterThan(10);
    expect(findCycles(graph)).toEqual([]);
  });

  it('the cycle check finds a cycle when there is one', () => {
    const graph = new Map([
      ['research-step', ['team-keys']],
      ['team-keys', ['research-team']],
      ['research-team', ['research-step']],
      ['cli', ['research-team']],
    ]);
    expect(findCycles(graph)).toEqual(['research-team -> research-step -> team-keys -> research-team']);
  });
});
