// Canary secrets and scanners: a canary is a unique value planted where a secret would be; a leak
// is any place it shows up afterwards (log lines, exported spans, metrics, files).
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Two canaries: one shaped like a provider key, one that only a sensitive field name reveals. */
export interface Canaries {
  /** Looks like an API key (`sk-...`): must be caught wherever it appears, even inside free text. */
  readonly keyShaped: string;
  /** Plain random text: only ever placed under sensitive names (password, apiKey, authorization...). */
  readonly fieldOnly: string;
}

/** Fresh canaries for one test run. */
export function makeCanaries(): Canaries {
  return {
    keyShaped: `sk-canary${randomBytes(16).toString('hex')}`,
    fieldOnly: `c4n4ry${randomBytes(12).toString('hex')}`,
  };
}

/** Where a canary appeared, with some text around it. */
export interface Leak {
  readonly where: string;
  readonly canary: string;
  readonly excerpt: string;
}

/** Finds every occurrence of the canaries in `text` (also URL-encoded and base64-encoded forms). */
export function scanText(where: string, text: string, canaries: Canaries): Leak[] {
  const leaks: Leak[] = [];
  for (const canary of [canaries.keyShaped, canaries.fieldOnly]) {
    for (const form of [canary, encodeURIComponent(canary), Buffer.from(canary).toString('base64').slice(0, 20)]) {
      for (let index = text.indexOf(form); index !== -1; index = text.indexOf(form, index + 1)) {
        leaks.push({ where, canary, excerpt: text.slice(Math.max(0, index - 60), index + form.length + 20) });
      }
    }
  }
  return leaks;
}

/** Every file under `dir`, recursively. */
export function listFiles(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...listFiles(path));
    else files.push(path);
  }
  return files;
}

/** Scans every file under `dir` as text. */
export function scanDirectory(dir: string, canaries: Canaries): { readonly files: string[]; readonly leaks: Leak[] } {
  const files = listFiles(dir);
  return { files, leaks: files.flatMap((file) => scanText(file, readFileSync(file, 'latin1'), canaries)) };
}
