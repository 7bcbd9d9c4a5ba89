#!/usr/bin/env node
// Measures what installing each public package costs a consumer: the packed tarball, its unpacked size, and a
// clean `npm install` of it into an empty project (packages installed, MB on disk, default options so
// optional and peer dependencies count). Sibling @tta packages it needs come from their own tarballs.
// Usage: node scripts/measure-footprint.mjs [--write]  (after `pnpm build`; --write updates docs/install.md)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack, publicPackages, repoRoot } from './pack-public-packages.mjs';

const kilobytesOnDisk = (path) => Number(execFileSync('du', ['-sk', path], { encoding: 'utf8' }).split('\t')[0]);

const packages = publicPackages();
const work = mkdtempSync(join(tmpdir(), 'tta-footprint-'));
const rows = [];
try {
  const tarballs = new Map();
  for (const pkg of packages) {
    const destination = join(work, 'tarballs', pkg.name.replace(/[@/]/g, '_'));
    mkdirSync(destination, { recursive: true });
    const { tarball } = pack(pkg, destination);
    execFileSync('tar', ['-xzf', tarball, '-C', destination]);
    tarballs.set(pkg.name, { tarball, packedBytes: statSync(tarball).size, unpackedKilobytes: kilobytesOnDisk(join(destination, 'package')) });
  }
  const siblingsOf = (name, seen = new Set()) => {
    const manifest = packages.find((pkg) => pkg.name === name).manifest;
    for (const dependency of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
      if (tarballs.has(dependency) && !seen.has(dependency)) {
        seen.add(dependency);
        siblingsOf(dependency, seen);
      }
    }
    return seen;
  };
  for (const pkg of packages) {
    const app = join(work, 'apps', pkg.name.replace(/[@/]/g, '_'));
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'footprint', private: true }));
    const installed = [pkg.name, ...siblingsOf(pkg.name)].map((name) => tarballs.get(name).tarball);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline', ...installed], { cwd: app, stdio: 'inherit' });
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8'));
    const { packedBytes, unpackedKilobytes } = tarballs.get(pkg.name);
    rows.push({
      name: pkg.name,
      packed: `${(packedBytes / 1024).toFixed(1)} kB`,
      unpacked: `${unpackedKilobytes} kB`,
      packages: Object.keys(lock.packages).filter((path) => path !== '').length,
      disk: `${(kilobytesOnDisk(join(app, 'node_modules')) / 1024).toFixed(1)} MB`,
    });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const table = [
  '| package | packed | unpacked | packages installed (with itself) | node_modules on disk |',
  '|---|---|---|---|---|',
  ...rows.map((row) => `| \`${row.name}\` | ${row.packed} | ${row.unpacked} | ${row.packages} | ${row.disk} |`),
].join('\n');
console.log(table);

if (process.argv.includes('--write')) {
  const file = join(repoRoot, 'docs', 'install.md');
  const text = readFileSync(file, 'utf8');
  const start = '<!-- footprint:start -->';
  const end = '<!-- footprint:end -->';
  const [before, rest] = text.split(start);
  if (rest === undefined || !rest.includes(end)) throw new Error(`docs/install.md lacks the ${start} … ${end} markers`);
  const measured = `Measured ${new Date().toISOString().slice(0, 10)} on Node ${process.version}, npm ${execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim()}.`;
  writeFileSync(file, `${before}${start}\n${table}\n\n${measured}\n${end}${rest.split(end)[1]}`);
  console.log('updated docs/install.md');
}
