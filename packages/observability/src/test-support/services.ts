import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The path of an installed server binary, or undefined (with a loud message) when it is missing.
 * With TTA_REQUIRE_SERVICES=1 a missing binary throws, so CI cannot skip the test by accident.
 */
export function findBinary(name: string, candidates: readonly string[] = [`/usr/bin/${name}`, `/usr/local/bin/${name}`]): string | undefined {
  const found = candidates.find((candidate) => existsSync(candidate)) ?? lookUpPath(name);
  if (found !== undefined) return found;
  const message = `${name} is not installed: the tests that need it are SKIPPED (install it, e.g. apt-get install prometheus)`;
  if (process.env.TTA_REQUIRE_SERVICES === '1') throw new Error(`${message}; TTA_REQUIRE_SERVICES=1 requires it`);
  console.warn(`\n!!! ${message}\n`);
  return undefined;
}

function lookUpPath(name: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = result.stdout.trim();
  return result.status === 0 && path.length > 0 ? path : undefined;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Runs `command` with `input` on stdin; resolves with its exit code and output. */
export function runWithInput(command: string, args: readonly string[], input: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
    child.stdin.end(input);
  });
}
