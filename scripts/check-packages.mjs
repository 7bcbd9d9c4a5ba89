#!/usr/bin/env node
// Fails when a public package (any non-private package under packages/, including ones added later) is not
// ready for a registry: metadata not derived from the root package.json (scripts/package-metadata.mjs), no
// keywords, no LICENSE in its tarball, no CHANGELOG.md once it has a version other than 0.0.0 (before the
// first version cut there is none to ship), a packed README with relative links (they break on the registry
// page), or a packed source map whose sources are not in the tarball.
// Usage: node scripts/check-packages.mjs  (after `pnpm build`); fix metadata with `pnpm sync:packages`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { pack, publicPackages, repoRoot } from './pack-public-packages.mjs';
import { expectedFields, rootMetadata } from './package-metadata.mjs';

/** Link targets in Markdown that a registry page cannot resolve: anything but a URL or an in-page anchor. */
export function relativeLinks(markdown) {
  const targets = [
    ...markdown.matchAll(/\]\(\s*<?([^)\s>]+)/g),
    ...markdown.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?\s*$/gm),
    ...markdown.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/g),
  ].map((match) => match[1]);
  return targets.filter((target) => !/^(?:[a-z][a-z0-9+.-]*:|#)/i.test(target));
}

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

const metadata = rootMetadata();
const rootLicense = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');
const problems = [];
const work = mkdtempSync(join(tmpdir(), 'tta-check-packages-'));
try {
  for (const pkg of publicPackages()) {
    const report = (problem) => problems.push(`${pkg.name}: ${problem}`);
    for (const [field, expected] of Object.entries(expectedFields(metadata, pkg.dir))) {
      if (!isDeepStrictEqual(pkg.manifest[field], expected)) {
        report(`"${field}" is ${JSON.stringify(pkg.manifest[field])}, expected ${JSON.stringify(expected)} (run pnpm sync:packages)`);
      }
    }
    const keywords = pkg.manifest.keywords;
    if (!Array.isArray(keywords) || keywords.length === 0 || !keywords.every((keyword) => typeof keyword === 'string' && keyword !== '')) {
      report('"keywords" must be a non-empty list of words');
    }
    if (typeof pkg.manifest.description !== 'string' || pkg.manifest.description === '') report('"description" is missing');
    const needsChangelog = pkg.manifest.version !== '0.0.0';

    const destination = join(work, pkg.name.replace(/[@/]/g, '_'));
    mkdirSync(destination);
    const { tarball, files } = pack(pkg, destination);
    for (const required of ['package.json', 'README.md', 'LICENSE', ...(needsChangelog ? ['CHANGELOG.md'] : [])]) {
      if (!files.includes(required)) report(`${required} is not in the packed tarball`);
    }
    execFileSync('tar', ['-xzf', tarball, '-C', destination]);
    const unpacked = join(destination, 'package');
    if (existsSync(join(unpacked, 'LICENSE')) && readFileSync(join(unpacked, 'LICENSE'), 'utf8') !== rootLicense) {
      report('the packed LICENSE differs from the root LICENSE (run pnpm sync:packages)');
    }
    if (existsSync(join(unpacked, 'README.md'))) {
      const links = relativeLinks(readFileSync(join(unpacked, 'README.md'), 'utf8'));
      if (links.length > 0) report(`the packed README has relative links, broken on the registry page: ${links.join(', ')}`);
    }
    for (const file of walk(unpacked)) {
      if (!file.endsWith('.map')) continue;
      const map = JSON.parse(readFileSync(file, 'utf8'));
      for (const source of map.sources ?? []) {
        const shipped = resolve(dirname(file), map.sourceRoot ?? '', source);
        if (!existsSync(shipped)) report(`${relative(unpacked, file)} points at ${source}, which is not in the tarball`);
      }
    }
    console.log(`checked ${pkg.name} (${files.length} files packed)`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`\npackage check failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('every public package has its metadata, license, changelog (once versioned) and registry-ready README');
