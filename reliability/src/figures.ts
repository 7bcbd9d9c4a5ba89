// Collects the figures each reliability test reports, and writes them to a JSON file that
// docs/reliability.md quotes (the run prints them too).
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const file = fileURLToPath(new URL('../.results/figures.json', import.meta.url));

/** Sets the figure `name`. */
export function record(name: string, value: number | string): void {
  update(name, () => value);
}

/** Adds `count` to the figure `name`. */
export function tally(name: string, count: number): void {
  update(name, (previous) => (typeof previous === 'number' ? previous : 0) + count);
}

function update(name: string, next: (previous: number | string | undefined) => number | string): void {
  mkdirSync(fileURLToPath(new URL('../.results/', import.meta.url)), { recursive: true });
  const figures: Record<string, number | string> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, number | string>) : {};
  figures[name] = next(figures[name]);
  writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`[reliability] ${name}: ${String(figures[name])}`);
}
