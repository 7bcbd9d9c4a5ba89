// The one place a public package's registry metadata comes from: the root package.json's `repository`,
// `author`, `license` and `engines`. `sync-package-metadata.mjs` writes it, `check-packages.mjs` checks it.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './pack-public-packages.mjs';

/** The root manifest's fields every public package repeats. */
export function rootMetadata() {
  const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const url = root.repository?.url;
  if (typeof url !== 'string' || !/^git\+https:\/\/github\.com\/[^/]+\/[^/]+\.git$/.test(url)) {
    throw new Error(`root package.json: repository.url must look like git+https://github.com/<owner>/<name>.git, got ${JSON.stringify(url)}`);
  }
  for (const field of ['author', 'license', 'engines']) {
    if (root[field] === undefined) throw new Error(`root package.json: ${field} is missing`);
  }
  const web = url.slice('git+'.length, -'.git'.length);
  return { url, web, author: root.author, license: root.license, engines: root.engines };
}

/** The web address of a repository file, for links that must work outside the repository (a registry page). */
export function blobUrl(metadata, pathInRepository) {
  return `${metadata.web}/blob/main/${pathInRepository}`;
}

/** The exact values a package directory's manifest must hold, derived from the root's. */
export function expectedFields(metadata, packageDir) {
  const directory = relative(repoRoot, packageDir).split('\\').join('/');
  return {
    repository: { type: 'git', url: metadata.url, directory },
    homepage: `${metadata.web}/tree/main/${directory}#readme`,
    bugs: { url: `${metadata.web}/issues` },
    author: metadata.author,
    license: metadata.license,
    engines: metadata.engines,
  };
}
