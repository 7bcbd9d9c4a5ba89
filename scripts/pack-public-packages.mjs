// Shared by the package checks: finds the public workspace packages and packs them as a registry would.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Every non-private package under packages/, so a package added later is checked without a list to update.
 * @returns {{ name: string, dir: string, manifest: Record<string, any> }[]}
 */
export function publicPackages() {
  const packagesDir = join(repoRoot, 'packages');
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(packagesDir, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(packagesDir, entry.name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      return { name: manifest.name, dir, manifest };
    })
    .filter((pkg) => pkg.manifest.private !== true)
    .sort((left, right) => left.name.localeCompare(right.name));
}

/**
 * Packs one package with pnpm (which rewrites `workspace:` ranges as publishing does) into `destination`.
 * @returns {string} the tarball's absolute path
 */
export function pack(pkg, destination) {
  const output = execFileSync('pnpm', ['pack', '--json', '--pack-destination', destination], {
    cwd: pkg.dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const parsed = JSON.parse(output.slice(output.indexOf('{')));
  return { tarball: parsed.filename, files: parsed.files.map((file) => file.path) };
}
