#!/usr/bin/env node
// Writes the root-derived metadata (repository, homepage, bugs, author, license, engines) into every public
// package's package.json and copies the root LICENSE beside it (npm packs a package's LICENSE whatever
// `files` says). Run after changing the root's fields or adding a package: `pnpm sync:packages`.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { publicPackages, repoRoot } from './pack-public-packages.mjs';
import { expectedFields, rootMetadata } from './package-metadata.mjs';

const metadata = rootMetadata();
for (const pkg of publicPackages()) {
  const file = join(pkg.dir, 'package.json');
  // Re-read right before writing: other fields of the manifest may have changed since the listing.
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  Object.assign(manifest, expectedFields(metadata, pkg.dir));
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  copyFileSync(join(repoRoot, 'LICENSE'), join(pkg.dir, 'LICENSE'));
  console.log(`synced ${pkg.name}`);
}
