// Copies the page's files and the dagre layout library (with its licence) into dist/assets, so
// the published package serves every asset itself: no CDN, works offline.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'dist', 'assets');
mkdirSync(target, { recursive: true });
for (const file of ['devtools.js', 'devtools.css']) copyFileSync(join(root, 'src', 'page', file), join(target, file));
const require = createRequire(join(root, 'package.json'));
const dagre = require.resolve('@dagrejs/dagre/dist/dagre.min.js');
copyFileSync(dagre, join(target, 'dagre.min.js'));
copyFileSync(join(dirname(dagre), '..', 'LICENSE'), join(target, 'dagre.LICENSE'));
