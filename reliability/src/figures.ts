// Collects the figures each reliability test reports, and writes them to a JSON file that
// docs/reliability.md quotes (the run prints them too).
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const file = fileURLToPath(new URL('../.results/figures.json', import.meta.url));

/** Adds `value` to the figure `name` (numbers add up; other values replace). */
export function record(name: string, value: number | string): void {
  mkdirSync(fileURLToPath(new URL('../.results/', import.meta.url)), { recursive: true });
  const figures: Record<string, number | string> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, number | string>) : {};
  const previous = figures[name];
  figures[name] = typeof value === 'number' && typeof previous === 'number' ? previous + value : value;
  writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`[reliability] ${name}: ${String(figures[name])}`);
}
