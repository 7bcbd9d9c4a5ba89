#!/usr/bin/env node
// Compiles every ```ts block of the documentation against the BUILT packages, so an example that a
// reader copies compiles as written. Files: README.md, docs/**/*.md (except the generated docs/api),
// packages/*/README.md and apps/*/README.md, and every TSDoc `@example` of packages/*/src (see
// scripts/tsdoc-examples.mjs for how those get their imports and hidden declarations).
//
// Each block becomes one module in a temporary project whose node_modules links the workspace packages
// (and their dependencies), and all of them are type-checked in ONE tsc program with the repository's
// strict options. Two markers, both invisible on a rendered page:
// - ```ts fragment            the block is deliberately incomplete and is not compiled (keep these few);
// - <!-- snippet-prelude: ... -->  on the line(s) right before a block: declarations the block assumes
//   (a model step the reader brings, say), compiled in front of it but not shown to the reader.
//
// Usage: node scripts/check-doc-snippets.mjs [--root <monorepo root>] [--keep]   (run after the build)
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { collectTsdocExamples } from './tsdoc-examples.mjs';

const args = process.argv.slice(2);
const rootIndex = args.indexOf('--root');
const root = resolve(rootIndex >= 0 ? args[rootIndex + 1] : join(dirname(fileURLToPath(import.meta.url)), '..'));
const keep = args.includes('--keep');

/** Markdown files whose ts blocks are compiled, relative to the root. */
function documentationFiles() {
  const files = [];
  const add = (path) => existsSync(join(root, path)) && files.push(path);
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      // docs/api is generated from the TSDoc, whose examples the build already compiles.
      if (entry.isDirectory() && path !== 'docs/api') walk(path);
      else if (entry.isFile() && entry.name.endsWith('.md')) files.push(path);
    }
  };
  add('README.md');
  add('CONTRIBUTING.md');
  if (existsSync(join(root, 'docs'))) walk('docs');
  for (const group of ['packages', 'apps']) {
    if (!existsSync(join(root, group))) continue;
    for (const name of readdirSync(join(root, group)).sort()) add(`${group}/${name}/README.md`);
  }
  return files;
}

const fencePattern = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)(.*)$/;
const preludePattern = /^\s*<!--\s*snippet-prelude:([\s\S]*?)-->\s*$/;

/** The ts blocks of one file: { line, code, fragment, prelude }. */
export function extractBlocks(text) {
  const lines = text.split('\n');
  const blocks = [];
  for (let index = 0; index < lines.length; index += 1) {
    const open = fencePattern.exec(lines[index] ?? '');
    if (open === null) continue;
    const [, indent, fence, language, rest] = open;
    const body = [];
    let end = index + 1;
    for (; end < lines.length; end += 1) {
      const line = lines[end] ?? '';
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') break;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line);
    }
    if (language === 'ts' || language === 'typescript') {
      const preludes = [];
      for (let before = index - 1; before >= 0; before -= 1) {
        const match = preludePattern.exec(lines[before] ?? '');
        if (match === null) break;
        preludes.unshift(match[1].trim());
      }
      blocks.push({ line: index + 1, code: body.join('\n'), fragment: /\bfragment\b/.test(rest), prelude: preludes.join('\n') });
    }
    index = end;
  }
  return blocks;
}

/** Links every workspace package and every dependency they resolve into `modules`. */
function linkModules(modules) {
  const linked = new Set();
  const link = (name, target) => {
    if (linked.has(name)) return;
    linked.add(name);
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(target, join(modules, name), 'dir');
  };
  const workspace = [];
  for (const group of ['packages', 'apps']) {
    if (!existsSync(join(root, group))) continue;
    for (const name of readdirSync(join(root, group)).sort()) {
      const manifestPath = join(root, group, name, 'package.json');
      if (!existsSync(manifestPath)) continue;
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
      link(manifest.name, join(root, group, name));
      workspace.push(join(root, group, name));
    }
  }
  // Snippets may import what the packages themselves depend on (ioredis, zod, vitest...).
  for (const dir of [...workspace, root]) {
    const nodeModules = join(dir, 'node_modules');
    if (!existsSync(nodeModules)) continue;
    for (const entry of readdirSync(nodeModules)) {
      if (entry.startsWith('.')) continue;
      if (entry.startsWith('@')) {
        for (const scoped of readdirSync(join(nodeModules, entry))) link(`${entry}/${scoped}`, join(nodeModules, entry, scoped));
      } else link(entry, join(nodeModules, entry));
    }
  }
}

const started = performance.now();
const project = mkdtempSync(join(tmpdir(), 'tta-doc-snippets-'));
const sources = new Map();
let fragments = 0;
let preludes = 0;
for (const file of documentationFiles()) {
  for (const block of extractBlocks(readFileSync(join(root, file), 'utf8'))) {
    if (block.fragment) {
      fragments += 1;
      continue;
    }
    if (block.prelude !== '') preludes += 1;
    // A block that names its file in a first-line comment (`// src/weather.ts`) is written there, in a
    // folder of its own Markdown file, so the blocks of one page can import each other.
    const named = /^\/\/ ([\w./-]+\.ts)(?:[:\s]|$)/.exec(block.code.split('\n', 1)[0] ?? '');
    const folder = file.replace(/[^\w]+/g, '_');
    const name = named === null ? `${folder}_L${block.line}.ts` : join(folder, named[1]);
    mkdirSync(dirname(join(project, name)), { recursive: true });
    // The prelude shares the block's first line, so reported lines match the Markdown file's lines.
    const prelude = block.prelude === '' ? '' : `${block.prelude.replace(/\n/g, ' ')} `;
    writeFileSync(join(project, name), `${prelude}${block.code}\nexport {};\n`);
    sources.set(join(project, name), { file, line: block.line });
  }
}
writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'doc-snippets', private: true, type: 'module' }));
linkModules(join(project, 'node_modules'));

const base = ts.readConfigFile(join(root, 'tsconfig.base.json'), ts.sys.readFile).config;
const parsed = ts.parseJsonConfigFileContent(
  { ...base, compilerOptions: { ...base.compilerOptions, noEmit: true, declaration: false, declarationMap: false, sourceMap: false, types: ['node'] } },
  ts.sys,
  project,
);

// TSDoc examples: one module each, under tsdoc/, whose line 1 is the generated header (imports and
// hidden declarations) and whose line 2 is the example's first line in its source file.
const tsdoc = collectTsdocExamples(root, parsed.options);
for (const module of tsdoc.modules) {
  mkdirSync(join(project, 'tsdoc'), { recursive: true });
  writeFileSync(join(project, 'tsdoc', module.name), module.text);
  sources.set(join(project, 'tsdoc', module.name), { file: module.file, line: module.line - 2, header: module.fenceLine });
}
// A check that finds nothing to compile proves nothing: fail rather than pass silently.
if (sources.size === 0) {
  console.error(`doc snippets: no ts block found under ${root}`);
  process.exit(1);
}
const program = ts.createProgram({ rootNames: [...sources.keys()], options: parsed.options, oldProgram: tsdoc.exportsProgram });
const diagnostics = ts.getPreEmitDiagnostics(program);
const problems = [...tsdoc.problems];
for (const diagnostic of diagnostics) {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  const origin = diagnostic.file === undefined ? undefined : sources.get(resolve(diagnostic.file.fileName));
  if (origin === undefined || diagnostic.start === undefined) {
    problems.push(`${diagnostic.file?.fileName ?? 'tsc'}: ${message}`);
    continue;
  }
  const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  // A TSDoc example's generated first line (imports, hidden declarations) is reported at its fence.
  const reported = origin.header !== undefined && line === 0 ? `${origin.header} (in the example's generated imports or prelude)` : origin.line + 1 + line;
  problems.push(`${origin.file}:${reported}: TS${diagnostic.code}: ${message}`);
}
if (!keep) rmSync(project, { recursive: true, force: true });
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const summary = `${sources.size - tsdoc.modules.length} ts blocks and ${tsdoc.modules.length} TSDoc examples compiled, ${fragments + tsdoc.fragments} marked fragment, ${preludes} blocks with a hidden prelude (${seconds} s)`;
if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`\ndoc snippets: ${problems.length} error(s); ${summary}${keep ? `; project kept in ${project}` : ''}`);
  process.exitCode = 1;
} else {
  console.log(`doc snippets: ${summary}${keep ? `; project kept in ${project}` : ''}`);
}
