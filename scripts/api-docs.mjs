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
import { MarkdownPageEvent, ModuleRouter } from 'typedoc-plugin-markdown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const committed = join(root, 'docs', 'api');
const out = check ? mkdtempSync(join(tmpdir(), 'tta-api-docs-')) : committed;

process.chdir(root);
if (!check) rmSync(committed, { recursive: true, force: true });
const app = await Application.bootstrapWithPlugins({ options: join(root, 'typedoc.json'), out });

/** The folder of a package in docs/api: its name without the scope (`@tta/primitives` -> `primitives`). */
const packageFolder = (name) => name.replace(/^@[^/]+\//, '');

/**
 * Pages where a reader looks for them: `docs/api/<package>/<entry>.md` (`primitives/index.md`,
 * `primitives/testing.md`, `redis/index.md`), a namespace beside its entry (`primitives/StandardSchemaV1.md`)
 * and, for a package with several entries, a `README.md` listing them. The plugin's module router would
 * nest the scope (`@tta/...`) and put a namespace of the main entry under `index/@tta/primitives/`.
 */
class PackageEntryRouter extends ModuleRouter {
  getIdealBaseName(reflection) {
    const parent = reflection.parent;
    if (reflection.kind === ReflectionKind.Module && parent?.kind === ReflectionKind.Module) return `${packageFolder(parent.name)}/${reflection.name}`;
    if (reflection.kind === ReflectionKind.Module && parent?.kind === ReflectionKind.Project) {
      const hasEntries = (reflection.children ?? []).some((child) => child.kind === ReflectionKind.Module);
      return `${packageFolder(reflection.name)}/${hasEntries ? 'README' : 'index'}`;
    }
    if (reflection.kind === ReflectionKind.Namespace && parent !== undefined) {
      return `${this.getIdealBaseName(parent).replace(/\/[^/]+$/, '')}/${reflection.name}`;
    }
    return super.getIdealBaseName(reflection);
  }
}
app.renderer.defineRouter('package-entry', PackageEntryRouter);
app.options.setValue('router', 'package-entry');
// The hidden declarations that let pnpm docs:check compile an example are not part of the reference.
app.renderer.on(MarkdownPageEvent.END, (page) => {
  if (page.contents !== undefined) page.contents = page.contents.replace(/^[ \t]*<!--\s*snippet-prelude:[\s\S]*?-->[ \t]*\n/gm, '');
});
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

// Every package README links its reference page as an absolute repository URL (the README ships to the
// registry), and that page must exist: a renamed layout would otherwise leave dead links behind.
const repository = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
const deadLinks = [];
for (const entryPoint of JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')).entryPoints) {
  const manifest = JSON.parse(readFileSync(join(root, entryPoint, 'package.json'), 'utf8'));
  const readme = readFileSync(join(root, entryPoint, 'README.md'), 'utf8');
  const links = [...readme.matchAll(/\((https:\/\/[^)\s]+\/docs\/api\/[^)\s#]+)/g)].map((match) => match[1]);
  if (links.length === 0) deadLinks.push(`${entryPoint}/README.md: no link to its page in docs/api/${packageFolder(manifest.name)}/`);
  for (const link of links) {
    const path = link.startsWith(`${repository}/blob/main/`) ? link.slice(`${repository}/blob/main/`.length) : undefined;
    if (path === undefined || !existsSync(join(out, path.slice('docs/api/'.length)))) deadLinks.push(`${entryPoint}/README.md: ${link} is not a generated page`);
  }
}
if (deadLinks.length > 0) {
  console.error(`${deadLinks.join('\n')}\n\napi docs: link each package README to its reference, docs/api/<package>/`);
  process.exit(1);
}

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
