// Runs every ```ts block of docs/primitives/*.md, so the catalogue's examples cannot rot.
// A block fenced as ```ts no-run is shown but not run.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, it } from 'vitest';

const docsDirectory = fileURLToPath(new URL('../../../docs/primitives/', import.meta.url));
const scratch = fileURLToPath(new URL('../.tmp/docs-examples/', import.meta.url));
mkdirSync(scratch, { recursive: true });
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const pages = readdirSync(docsDirectory).filter((file) => file.endsWith('.md') && readFileSync(join(docsDirectory, file), 'utf8').includes('```ts\n'));

describe.each(pages)('docs/primitives/%s', (page) => {
  const text = readFileSync(join(docsDirectory, page), 'utf8');
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
  const headings = [...text.matchAll(/```ts\n/g)].map((match) => {
    const before = text.slice(0, match.index);
    return before.match(/^#+ (.*)$/gm)?.at(-1)?.replace(/^#+ /, '') ?? 'top';
  });
  it.each(blocks.map((code, index) => ({ code, index, heading: headings[index] })))('example $index under "$heading" runs', async ({ code, index }) => {
    const file = join(scratch, `${page.replace(/\W/g, '-')}-${index}.ts`);
    writeFileSync(file, `${code}\nexport {};\n`);
    await import(/* @vite-ignore */ file);
  }, 20_000);
});
