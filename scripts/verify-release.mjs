#!/usr/bin/env node
// Proves the release flow end to end on this machine: publishes every public package of the (built)
// checkout to a throwaway local Verdaccio registry, then installs them with npm into empty folders
// outside the repository, as a stranger would, and uses them.
//
// The `@tta` scope has no uplink, so nothing is looked up or published anywhere else; other packages
// are proxied to the public registry so consumers can install their third-party dependencies.
// Everything (storage, npm config, npm cache, consumers) lives in one temp folder removed at the
// end; ~/.npmrc is never read for auth nor written. Verdaccio is stopped on every exit path.
//
// Usage: node scripts/verify-release.mjs   (after `pnpm build`; `--keep` leaves the temp folder)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const uplink = process.env.TTA_RELEASE_UPLINK ?? 'https://registry.npmjs.org/';
const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'tta-release-'));
// The user's npm config is fingerprinted before and after: the run must leave it as it was.
const userNpmrc = join(homedir(), '.npmrc');
const fingerprint = () => (existsSync(userNpmrc) ? `${statSync(userNpmrc).mtimeMs}:${readFileSync(userNpmrc, 'utf8')}` : 'absent');
const npmrcBefore = fingerprint();
const log = (message) => console.log(`[verify-release ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);

/** Runs a command; rejects with its output when it fails. */
function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`))));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

let verdaccio;
function stopVerdaccio() {
  if (verdaccio !== undefined && verdaccio.exitCode === null && verdaccio.signalCode === null) verdaccio.kill('SIGTERM');
}
process.on('exit', stopVerdaccio);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopVerdaccio();
    process.exit(130);
  });
}

async function startVerdaccio() {
  const port = await freePort();
  const storage = join(work, 'storage');
  mkdirSync(storage);
  const config = join(work, 'verdaccio.yaml');
  writeFileSync(
    config,
    [
      `storage: ${JSON.stringify(storage)}`,
      'auth:',
      '  htpasswd:',
      `    file: ${JSON.stringify(join(work, 'htpasswd'))}`,
      'uplinks:',
      '  npmjs:',
      `    url: ${JSON.stringify(uplink)}`,
      'packages:',
      // No `proxy` here: @tta/* is served from local storage only, never looked up upstream.
      "  '@tta/*':",
      '    access: $all',
      '    publish: $authenticated',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      '    proxy: npmjs',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  const bin = join(root, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  verdaccio = spawn(process.execPath, [bin, '--config', config, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  verdaccio.stdout.on('data', (chunk) => (output += chunk));
  verdaccio.stderr.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}/`;
  for (let attempt = 0; attempt < 150; attempt++) {
    if (verdaccio.exitCode !== null) throw new Error(`verdaccio exited with ${verdaccio.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${url}-/ping`);
      if (response.ok) return url;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`verdaccio did not answer on ${url} within 30 s:\n${output}`);
}

/** Creates a throwaway user and writes an npm config holding only the local registry and its token. */
async function writeUserConfig(registry) {
  const name = 'release-check';
  const response = await fetch(`${registry}-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: `pw-${process.pid}-${Date.now()}`, type: 'user', roles: [] }),
  });
  const body = await response.json();
  if (!response.ok || typeof body.token !== 'string') throw new Error(`could not create a registry user: ${response.status} ${JSON.stringify(body)}`);
  const userConfig = join(work, 'npmrc');
  const host = registry.replace(/^http:/, '');
  writeFileSync(userConfig, `registry=${registry}\n${host}:_authToken=${body.token}\n`);
  return userConfig;
}

async function main() {
  const registry = await startVerdaccio();
  log(`verdaccio on ${registry}, storage in ${work}`);
  const userConfig = await writeUserConfig(registry);
  // Every npm/pnpm below reads this config (not ~/.npmrc) and a cache of its own.
  const env = {
    ...process.env,
    npm_config_userconfig: userConfig,
    NPM_CONFIG_USERCONFIG: userConfig,
    npm_config_registry: registry,
    npm_config_cache: join(work, 'npm-cache'),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };

  // The command `pnpm release` runs, without the git tags a real release creates.
  await run('pnpm', ['exec', 'changeset', 'publish', '--no-git-tag'], { cwd: root, env });
  const published = [];
  for (const name of ['primitives', 'observability', 'agent-context', 'redis', 'keploy-testing', 'durable']) {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
    if (manifest.private === true) continue;
    const response = await fetch(`${registry}${manifest.name.replace('/', '%2f')}`);
    if (!response.ok) throw new Error(`${manifest.name} was not published (${response.status})`);
    const packument = await response.json();
    if (packument.versions?.[manifest.version] === undefined) throw new Error(`${manifest.name}@${manifest.version} is missing from the registry`);
    published.push(`${manifest.name}@${manifest.version}`);
  }
  log(`published ${published.join(', ')}`);

  const consumer = (name) => {
    const folder = join(work, name);
    mkdirSync(folder);
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }));
    return folder;
  };
  const install = (folder, ...specs) => run('npm', ['install', '--no-package-lock', '--registry', registry, ...specs], { cwd: folder, env });
  const node = (folder, source) => {
    writeFileSync(join(folder, 'check.mjs'), source);
    return run(process.execPath, ['check.mjs'], { cwd: folder, env: { ...process.env, NODE_OPTIONS: '' } });
  };

  const primitivesFolder = consumer('uses-primitives');
  const observabilityFolder = consumer('uses-observability');
  const copyA = consumer('copy-a');
  const copyB = consumer('copy-b');
  await Promise.all([
    install(primitivesFolder, '@tta/primitives'),
    install(observabilityFolder, '@tta/observability', '@tta/agent-context'),
    install(copyA, '@tta/primitives'),
    install(copyB, '@tta/primitives'),
  ]);
  // The siblings take @tta/primitives as a peer: npm installs it once, next to them.
  const copies = [];
  const findCopies = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const path = join(folder, entry.name);
      if (path.endsWith(join('@tta', 'primitives'))) copies.push(path);
      else findCopies(path);
    }
  };
  findCopies(join(observabilityFolder, 'node_modules'));
  if (copies.length !== 1) throw new Error(`@tta/observability and @tta/agent-context should share one @tta/primitives, found ${copies.length}: ${copies.join(', ')}`);
  for (const sibling of ['observability', 'agent-context']) {
    const manifest = JSON.parse(readFileSync(join(observabilityFolder, 'node_modules', '@tta', sibling, 'package.json'), 'utf8'));
    const peer = manifest.peerDependencies?.['@tta/primitives'];
    if (typeof peer !== 'string' || peer.startsWith('workspace:') || manifest.dependencies?.['@tta/primitives'] !== undefined) {
      throw new Error(`@tta/${sibling} should declare @tta/primitives as a published peer range, not a dependency: ${JSON.stringify({ dependencies: manifest.dependencies, peerDependencies: manifest.peerDependencies })}`);
    }
  }
  log('installed @tta/primitives alone, @tta/observability with @tta/agent-context (one shared @tta/primitives peer), and two side-by-side copies of @tta/primitives');

  log(
    (
      await node(
        primitivesFolder,
        `
import assert from 'node:assert/strict';
import { parallel, retry, step, timeout, TimeoutError } from '@tta/primitives';
let calls = 0;
const flaky = step('flaky', async (text) => { calls++; if (calls < 2) throw new Error('transient'); return text.toUpperCase(); });
const workflow = step('clean', (text) => text.trim()).pipe(parallel(retry(flaky, { maxAttempts: 3, initialDelayMs: 1 }), step('length', (text) => text.length)));
assert.deepEqual(await workflow.run('  hello  '), ['HELLO', 5]);
const slow = timeout(step('slow', () => new Promise((resolve) => setTimeout(resolve, 1_000))), { timeoutMs: 10 });
await assert.rejects(slow.run(undefined), (error) => TimeoutError.isInstance(error));
console.log('@tta/primitives works from the registry');
`,
      )
    ).trim(),
  );

  log(
    (
      await node(
        observabilityFolder,
        `
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { initializeObservability, shutdownObservability } from '@tta/observability';
import { step } from '@tta/primitives';
let posts = 0;
const receiver = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    if (request.method === 'POST' && request.url === '/v1/traces') posts++;
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const { port } = receiver.address();
try {
  const ready = await initializeObservability({ serviceName: 'release-check', otlpEndpoint: 'http://127.0.0.1:' + port, enablePrometheus: false });
  assert.equal(ready, true, 'initializeObservability should return true');
  await step('traced', (value) => value + 1).run(1);
  await shutdownObservability();
  assert.ok(posts > 0, 'the span should reach the loopback OTLP receiver');
} finally {
  receiver.close();
}
console.log('@tta/observability initialises from the registry and exports spans');
`,
      )
    ).trim(),
  );

  // Two copies imported by absolute path in one process: the registries and error brands are on
  // Symbol.for globals, so they behave as one.
  const entry = (folder) => {
    writeFileSync(join(folder, 'entry.mjs'), "export * as main from '@tta/primitives';\nexport * as instrumentation from '@tta/primitives/instrumentation';\n");
    return pathToFileURL(join(folder, 'entry.mjs')).href;
  };
  const twoCopies = consumer('two-copies');
  log(
    (
      await node(
        twoCopies,
        `
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
const a = await import(${JSON.stringify(entry(copyA))});
const b = await import(${JSON.stringify(entry(copyB))});
assert.notEqual(a.main.TimeoutError, b.main.TimeoutError, 'the two copies should be distinct modules');
assert.notEqual(realpathSync(${JSON.stringify(join(copyA, 'node_modules/@tta/primitives'))}), realpathSync(${JSON.stringify(join(copyB, 'node_modules/@tta/primitives'))}));
const seen = [];
const registration = a.instrumentation.registerInstrumentation({ onStart: (execution) => seen.push(execution.name) });
await b.main.step('in-copy-b', (value) => value).run(1);
registration.dispose();
assert.deepEqual(seen, ['in-copy-b'], 'an instrumentation registered through copy A sees copy B executions');
assert.equal(a.main.TimeoutError.isInstance(new b.main.TimeoutError()), true, 'TimeoutError.isInstance of copy A accepts copy B errors');
assert.equal(a.main.metrics, b.main.metrics, 'both copies record into one metrics table');
console.log('two installed copies share instrumentations, metrics and error brands');
`,
      )
    ).trim(),
  );
}

try {
  await main();
  if (fingerprint() !== npmrcBefore) throw new Error(`${userNpmrc} changed during the run`);
  log('release flow verified');
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  stopVerdaccio();
  if (keep) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
