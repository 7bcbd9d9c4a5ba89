import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** A file the page loads, read once when the server starts. */
export interface PageAsset {
  readonly contentType: string;
  readonly body: Buffer;
}

const files: Readonly<Record<string, string>> = {
  'devtools.js': 'text/javascript; charset=utf-8',
  'devtools.css': 'text/css; charset=utf-8',
  'dagre.min.js': 'text/javascript; charset=utf-8',
};

/**
 * Loads the page's scripts and styles. The build copies them (and the dagre layout library) into
 * `dist/assets`, so an installed package serves everything itself, offline; run from the sources
 * (tests), they are read from `src/page` and dagre from its dev dependency.
 */
export async function loadPageAssets(): Promise<ReadonlyMap<string, PageAsset>> {
  const assets = new Map<string, PageAsset>();
  for (const [file, contentType] of Object.entries(files)) {
    assets.set(file, { contentType, body: await readAsset(file) });
  }
  return assets;
}

async function readAsset(file: string): Promise<Buffer> {
  try {
    return await readFile(new URL(`./assets/${file}`, import.meta.url));
  } catch {
    if (file === 'dagre.min.js') return readFile(createRequire(import.meta.url).resolve('@dagrejs/dagre/dist/dagre.min.js'));
    return readFile(new URL(`./page/${file}`, import.meta.url));
  }
}

/** The page itself: markup only, the token carried into the asset and data URLs. */
export function pageHtml(token: string): string {
  const query = `?token=${encodeURIComponent(token)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TTA devtools</title>
<link rel="stylesheet" href="/assets/devtools.css${query}">
<script src="/assets/dagre.min.js${query}" defer></script>
<script src="/assets/devtools.js${query}" defer></script>
</head>
<body>
<header><h1>TTA devtools</h1><span id="status" class="status">connecting…</span><span id="dropped" class="dropped" hidden></span></header>
<main>
<nav><h2>Workflows</h2><ul id="workflows"></ul><h2>Runs</h2><ul id="runs"></ul></nav>
<section id="detail"><div id="graph" class="graph"></div><div id="run-detail"></div><div id="suspended"></div></section>
</main>
</body>
</html>
`;
}
