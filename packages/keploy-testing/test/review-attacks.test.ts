import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeployConfigError, runTestSet, runTestSets, toCurl, writeTestSet, type HttpTestCase } from '../src/index.js';
import { toYaml, yamlReadOptions } from '../src/format/keploy-yaml.js';
import { compareResponse } from '../src/runner/compare-response.js';
import { bodyMatches } from '../src/matching/request-matcher.js';
import { startLocalServer, temporaryDir, type LocalServer } from './support/local-server.js';

let dir: string;
let removeDir: () => Promise<void>;
let server: LocalServer | undefined;
beforeEach(async () => {
  ({ dir, remove: removeDir } = await temporaryDir());
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await removeDir();
});

/** The arguments a POSIX shell hands to curl when the line is pasted (NUL-separated, so newlines survive). */
const curlArguments = (line: string): string[] =>
  execFileSync('sh', ['-c', `curl() { printf '%s\\0' "$@"; }\n${line}`], { encoding: 'utf8' }).split('\0').slice(0, -1);

const hasCurl = ((): boolean => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasCurl) console.warn('review-attacks: curl is not installed; the pasted-curl test against a server is skipped');

describe('the curl line, attacked', () => {
  it('hands curl newlines, quotes, backslashes and unicode in the URL, headers and body exactly as recorded', () => {
    const body = "line1\nline2 'q' \"dq\" é😀 \\n $HOME `x` \r\n\ttab '";
    const url = "http://localhost:3000/a b?x='1'&y=\"2\"\n";
    const argv = curlArguments(toCurl({ method: 'POST', url, headers: { 'X-A': "va'l\nue", 'X-U': 'é😀' }, body, timestamp: '' }));
    expect(argv).toEqual(['--request', 'POST', '--url', url, '--header', "X-A: va'l\nue", '--header', 'X-U: é😀', '--data', body]);
  });

  it('sends a body that starts with @ as those characters, not as the file it would name to curl --data', () => {
    const argv = curlArguments(toCurl({ method: 'POST', url: 'http://localhost:3000/notes', headers: {}, body: '@/home/user/.ssh/id_rsa', timestamp: '' }));
    expect(argv.slice(-2)).toEqual(['--data-raw', '@/home/user/.ssh/id_rsa']);
  });

  it.skipIf(!hasCurl)('pasted and run, curl posts "@file" literally and never the file it names', async () => {
    const secretFile = join(dir, 'secret.txt');
    await writeFile(secretFile, 'TOP-SECRET');
    const received: string[] = [];
    server = await startLocalServer((_request, reply, requestBody) => {
      received.push(requestBody);
      reply.end('ok');
    });
    const line = toCurl({ method: 'POST', url: `${server.url}/notes`, headers: { 'Content-Type': 'text/plain' }, body: `@${secretFile}`, timestamp: '' });
    // Run asynchronously: the server answering curl lives in this process.
    await promisify(execFile)('sh', ['-c', line.replace(/^curl /, 'curl --silent --show-error --max-time 5 --output /dev/null ')]);
    expect(received).toEqual([`@${secretFile}`]);
  });
});

describe('requests go to the base URL only, whatever the recorded path', () => {
  it('keeps backslash, encoded and dot-segment tricks on the base URL, with the --header credentials', async () => {
    const hosts: Array<string | undefined> = [];
    server = await startLocalServer((request, reply) => {
      hosts.push(request.headers.host);
      reply.writeHead(200, { 'Content-Type': 'application/json' });
      reply.end('{"ok":true}');
    });
    const recorded = ['/\\attacker.example:8080/x', '\\\\attacker.example/x', '/%2F%2Fattacker.example/x', 'http://localhost:3000/\\attacker.example/x', '/..//attacker.example/x', 'http:\\\\attacker.example/x', '//user:pw@attacker.example/x'];
    const tests = recorded.map((url, index): HttpTestCase => ({
      kind: 'Http', name: `test-${index + 1}`, request: { method: 'GET', url, headers: {}, body: '', timestamp: '2024-12-07T14:00:00Z' },
      response: { status: 200, statusMessage: 'OK', headers: { 'Content-Type': 'application/json' }, body: '{"ok":true}', timestamp: '2024-12-07T14:00:00Z' },
      noise: {}, created: 1733580000, curl: '',
    }));
    await writeTestSet(join(dir, 'test-set-0'), { tests, mocks: [] });
    const result = await runTestSet({ dir, testSet: 'test-set-0', baseUrl: `${server.url}/api/`, headers: { Authorization: 'Bearer real' }, mocks: false, config: false });
    const base = new URL(server.url);
    expect(hosts).toEqual(recorded.map(() => base.host));
    for (const test of result.results) expect(new URL(test.url).origin).toBe(base.origin);
    for (const test of result.results) expect(new URL(test.url).pathname.startsWith('/api/')).toBe(true);
  });
});

describe('YAML round trip, attacked', () => {
  it('reads back exactly what it wrote with document markers, anchors, tags, control and line-separator characters', () => {
    const piece = fc.constantFrom(' ', '\t', '\n', '\r', '\r\n', '\u2028', '\u0085', '\ufeff', '\u0000', '\u0007', '\ud800', '---', '...', '--- ', '%YAML', '&a', '*a', '!tag', '!!binary', '@', '`', '? ', ',', '[', ']', '}', 'a', '😀', '#', ': ', '- ', '"', "'", '|', '|2', '>', '\\', 'null', 'true', '1e3', '0o7', '.inf', '<<');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join('')), (text) => {
        const document = { spec: { req: { body: text, header: { [`X-${text}`]: text } }, list: [text] } };
        expect(parse(toYaml(document), yamlReadOptions)).toEqual(document);
      }),
      { numRuns: 2000 },
    );
  }, 60_000);
});

describe('false green: keploy.yml selectedTests', () => {
  it('refuses a selected test case name that its test set does not hold, naming the file, the set and the name', async () => {
    server = await startLocalServer((_request, reply) => {
      reply.writeHead(200, { 'Content-Type': 'application/json' });
      reply.end('{"ok":true}');
    });
    const okCase = (name: string): HttpTestCase => ({
      kind: 'Http', name, request: { method: 'GET', url: '/x', headers: {}, body: '', timestamp: '2024-12-07T14:00:00Z' },
      response: { status: 200, statusMessage: 'OK', headers: { 'Content-Type': 'application/json' }, body: '{"ok":true}', timestamp: '2024-12-07T14:00:00Z' },
      noise: {}, created: 1733580000, curl: '',
    });
    await writeTestSet(join(dir, 'keploy', 'test-set-0'), { tests: [okCase('test-1')], mocks: [] });
    await writeTestSet(join(dir, 'keploy', 'test-set-1'), { tests: [okCase('test-1')], mocks: [] });
    // A typo in the second set's list: before, that set ran nothing and the run was green.
    await writeFile(join(dir, 'keploy.yml'), 'test:\n  selectedTests:\n    test-set-0: ["test-1"]\n    test-set-1: ["test-9"]\n');
    const run = runTestSets({ dir, baseUrl: server.url, mocks: false });
    await expect(run).rejects.toSatisfy(KeployConfigError.isInstance);
    await expect(runTestSets({ dir, baseUrl: server.url, mocks: false })).rejects.toThrow(/keploy\.yml: test\.selectedTests\.test-set-1 names "test-9", which test set test-set-1 does not hold/);
  });
});

describe('compareResponse on a body nested deeper than the stack', () => {
  it('compares 100,000 nested arrays as text instead of throwing RangeError', () => {
    const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
    const other = `${'['.repeat(100_000)}2${']'.repeat(100_000)}`;
    const recorded = { status: 200, statusMessage: 'OK', headers: { 'Content-Type': 'application/json' }, body: deep, timestamp: '' };
    const live = (body: string) => ({ status: 200, headers: new Headers({ 'content-type': 'application/json' }), body });
    expect(compareResponse(recorded, live(deep), {})).toEqual([]);
    expect(compareResponse(recorded, live(other), {}).map((difference) => difference.field)).toEqual(['body']);
  });
});

describe('bodyMatches on a request nested deeper than the stack', () => {
  it('matches 100,000 nested arrays as text in a replay lookup instead of throwing RangeError', () => {
    const deep = (leaf: string): string => `${'['.repeat(100_000)}${leaf}${']'.repeat(100_000)}`;
    expect(bodyMatches(deep('1'), deep('2'), 'application/json')).toBe(false);
    expect(bodyMatches(deep('"[REDACTED]"'), deep('"[REDACTED]"'), 'application/json')).toBe(true);
  });
});
