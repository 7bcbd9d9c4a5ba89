import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Starts each run of the suite with no figures from an earlier run. */
export default function setup(): void {
  rmSync(fileURLToPath(new URL('../.results/', import.meta.url)), { recursive: true, force: true });
}
