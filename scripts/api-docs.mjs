#!/usr/bin/env node
// Generates (or, with --check, compares) the API reference in docs/api/: Markdown that TypeDoc and
// typedoc-plugin-markdown write from the TSDoc of every public package's entry points, as
// typedoc.json configures them. CI runs --check after the build and fails when the committed
// reference differs from what the current TSDoc gives, so the reference never drifts from the code.
//
// Usage: node scripts/api-docs.mjs [--check]   (run after `pnpm build`: cross-package types are
// read from the built declarations)
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application, Converter, ReflectionKind } from 'typedoc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const committed = join(root, 'docs', 'api');
const out = check ? mkdtempSync(join(tmpdir(), 'tta-api-docs-')) : committed;

process.chdir(root);
if (!check) rmSync(committed, { recursive: true, force: true });
const app = await Application.bootstrapWithPlugins({ options: join(root, 'typedoc.json'), out });
// A package's main entry (the "." export) would get an empty name, hence an empty link and a `_`
// folder: it is named `index`, as the subpath entries are named after their subpath.
app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
  for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
    if (module.name === '') module.name = 'index';
  }
});
const project = await app.convert();
if (project === undefined) {
  console.error('api docs: TypeDoc could not convert the packages (run `pnpm build` first)');
  process.exit(1);
}
await app.generateOutputs(project);
if (app.logger.hasErrors()) process.exit(1);

if (check) {
  const files = (dir) => {
    if (!existsSync(dir)) return [];
    const found = [];
    const walk = (current) => {
      for (const entry of readdirSync(current)) {
        const path = join(current, entry);
        if (statSync(path).isDirectory()) walk(path);
        else found.push(relative(dir, path));
      }
    };
    walk(dir);
    return found.sort();
  };
  const expected = files(out);
  const actual = files(committed);
  const stale = [
    ...expected.filter((file) => !actual.includes(file)).map((file) => `missing: docs/api/${file}`),
    ...actual.filter((file) => !expected.includes(file)).map((file) => `not generated any more: docs/api/${file}`),
    ...expected
      .filter((file) => actual.includes(file) && readFileSync(join(out, file), 'utf8') !== readFileSync(join(committed, file), 'utf8'))
      .map((file) => `differs: docs/api/${file}`),
  ];
  rmSync(out, { recursive: true, force: true });
  if (stale.length > 0) {
    console.error(`${stale.join('\n')}\n\napi docs: docs/api is stale; run \`pnpm build && pnpm docs:api\` and commit it`);
    process.exit(1);
  }
  console.log(`api docs: docs/api is current (${expected.length} files)`);
} else {
  console.log(`api docs: written to ${relative(root, out)}`);
}
