#!/usr/bin/env node
// Installs the packed tarballs into a fresh project outside the repository and compiles and runs it the way
// a stranger would: tsc with `lib: ES2022` and `skipLibCheck: false` with and without @types/node, with
// `lib: ES2022 + DOM` (browser and edge users), and a CommonJS `require()` of the ESM packages.
// Usage: node scripts/check-consumer.mjs  (after `pnpm build`; needs the npm registry for third-party deps)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack, publicPackages, repoRoot } from './pack-public-packages.mjs';

// Packages whose types must not need Node's: the core and the in-memory agent context run on edge runtimes.
const portable = new Set(['@tta/primitives', '@tta/agent-context']);
const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

const packages = publicPackages();
const work = mkdtempSync(join(tmpdir(), 'tta-consumer-'));
const failures = [];
try {
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const dependencies = {};
  for (const pkg of packages) dependencies[pkg.name] = `file:${pack(pkg, tarballs).tarball}`;

  const app = join(work, 'app');
  mkdirSync(join(app, 'src'), { recursive: true });
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies, devDependencies: { '@types/node': '^20.19.0' } }, null, 2),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline'], { cwd: app, stdio: 'inherit' });

  const importsOf = (names) => `${names.map((name, index) => `import * as package${index} from '${name}';\n`).join('')}export const used = [${names.map((_, index) => `package${index}`).join(', ')}];\n`;
  const all = packages.map((pkg) => pkg.name);
  const configurations = [
    { name: 'ES2022 with @types/node', lib: ['ES2022'], types: ['node'], packages: all },
    { name: 'ES2022 without @types/node', lib: ['ES2022'], types: [], packages: all.filter((name) => portable.has(name)), noNodeTypes: true },
    { name: 'ES2022 + DOM without @types/node', lib: ['ES2022', 'DOM'], types: [], packages: all.filter((name) => portable.has(name)), noNodeTypes: true },
  ];
  for (const [index, configuration] of configurations.entries()) {
    const file = `src/consumer-${index}.ts`;
    writeFileSync(join(app, file), importsOf(configuration.packages));
    const config = `tsconfig-${index}.json`;
    writeFileSync(
      join(app, config),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true,
          skipLibCheck: false, lib: configuration.lib, types: configuration.types,
        },
        files: [file],
      }),
    );
    try {
      const listed = execFileSync(process.execPath, [tsc, '-p', config, '--listFiles'], { cwd: app, encoding: 'utf8' });
      if (configuration.noNodeTypes && listed.includes('@types/node')) {
        failures.push(`${configuration.name}: the declarations pull in @types/node:\n${listed.split('\n').filter((line) => line.includes('@types/node')).slice(0, 3).join('\n')}`);
      } else {
        console.log(`ok  tsc, ${configuration.name}: ${configuration.packages.join(', ')}`);
      }
    } catch (error) {
      const output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
      failures.push(`${configuration.name}:\n${output.split('\n').filter((line) => line.includes('error TS')).join('\n')}`);
    }
  }

  // NestJS-style CommonJS apps load the ESM packages with require(), which Node supports from 20.19.
  writeFileSync(
    join(app, 'require.cjs'),
    `const primitives = require('@tta/primitives');\n` +
      `if (typeof primitives.sequential !== 'function') throw new Error('require(@tta/primitives) lacks sequential');\n` +
      `console.log('ok  require(@tta/primitives) on Node ' + process.version);\n`,
  );
  try {
    execFileSync(process.execPath, ['require.cjs'], { cwd: app, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  } catch (error) {
    failures.push(`CommonJS require('@tta/primitives'):\n${error.stderr ?? error.message}`);
  }
  // Every other entry point too (a top-level await would make require() throw ERR_REQUIRE_ASYNC_MODULE);
  // the test-helper subpaths of packages with an optional vitest peer need vitest, which this app lacks.
  const entryPoints = packages.flatMap((pkg) =>
    Object.keys(pkg.manifest.exports ?? { '.': null })
      .filter((subpath) => subpath !== './package.json' && !(pkg.manifest.peerDependencies?.vitest && ['./testing', './vitest'].includes(subpath)))
      .map((subpath) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`)),
  );
  writeFileSync(join(app, 'require-all.cjs'), entryPoints.map((entry) => `require(${JSON.stringify(entry)});\n`).join(''));
  try {
    execFileSync(process.execPath, ['require-all.cjs'], { cwd: app, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    console.log(`ok  require() of ${entryPoints.join(', ')}`);
  } catch (error) {
    failures.push(`CommonJS require() of every entry point:\n${error.stderr ?? error.message}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`\nconsumer check failed:\n\n${failures.join('\n\n')}`);
  process.exit(1);
}
