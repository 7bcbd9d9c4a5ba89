import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli-main.js';
import { startLocalServer, temporaryDir, type LocalServer } from './support/local-server.js';

// An app folder in Keploy's layout: keploy.yml beside keploy/, which also holds reports/, testReports/,
// schema/ and api-tests/ (not test sets). Its test cases: a GET with a body, an unordered array under
// global noise, a !!binary body, two Set-Cookie values on one line, a 20-digit id, a header under a
// per-test-set regex noise; its mocks: a Postgres mock (kept, not replayed) and an HTTP one.
const app = fileURLToPath(new URL('./fixtures/fidelity-app', import.meta.url));
const png = Buffer.from('iVBORw0KGgr//gCAww==', 'base64');

interface Variation {
  ignoreGetBody?: boolean;
  itemOrder?: number[];
  pngByte?: number;
  cookies?: string[];
  accountId?: string;
  servedAt?: string;
  clockBody?: string;
}

let server: LocalServer;
let variation: Variation = {};

const items = [
  { id: 1, name: 'pen', tags: ['blue', 'cheap'] },
  { id: 2, name: 'ink', tags: ['black'] },
  { id: 3, name: 'pad', tags: [] },
];

beforeEach(async () => {
  variation = {};
  server = await startLocalServer((request, response, body) => {
    const json = (value: string, headers: Record<string, string | string[]> = {}): void => {
      response.writeHead(200, { 'Content-Type': 'application/json', ...headers });
      response.end(value);
    };
    if (request.url === '/search') {
      json(variation.ignoreGetBody === true || body === '' ? '{"filter":null,"count":0}' : `{"filter":${JSON.stringify(JSON.parse(body).filter)},"count":3}`);
    } else if (request.url === '/items') {
      const order = variation.itemOrder ?? [2, 0, 1];
      // Another order, tags reordered too, and a fresh updatedAt: all hidden by ignoreOrdering and global noise.
      const listed = order.map((index) => ({ ...items[index]!, tags: [...items[index]!.tags].reverse() }));
      response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify({ page: { total: 3, updatedAt: new Date().toISOString() }, items: listed }));
    } else if (request.url === '/logo.png') {
      const bytes = Buffer.from(png);
      if (variation.pngByte !== undefined) bytes[9] = variation.pngByte;
      response.writeHead(200, { 'Content-Type': 'image/png' });
      response.end(bytes);
    } else if (request.url === '/login') {
      json('{"ok":true}', { 'Set-Cookie': variation.cookies ?? ['session=abc123; Path=/; HttpOnly', 'theme=dark; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/'] });
    } else if (request.url?.startsWith('/accounts/') === true) {
      json(`{"owner":"bob","balance":10,"id":${variation.accountId ?? request.url.slice('/accounts/'.length)}}`);
    } else if (request.url === '/clock') {
      response.writeHead(200, { 'Content-Type': 'text/plain', 'X-Served-At': variation.servedAt ?? String(Math.floor(Date.now() / 1000)) });
      response.end(variation.clockBody ?? 'tock');
    } else {
      response.writeHead(404);
      response.end();
    }
  });
});
afterEach(async () => server.close());

const run = async (args: string[]): Promise<{ code: number; output: string }> => {
  const lines: string[] = [];
  const code = await main(['test', '--base-url', server.url, '--no-color', ...args], (text) => lines.push(text));
  return { code, output: lines.join('\n') };
};

describe('tta-keploy test on a Keploy app folder', () => {
  it('runs the test sets of keploy/ when --dir is the app folder, skipping reports, testReports, schema and api-tests', async () => {
    const { code, output } = await run(['--dir', app]);
    expect(output).toContain('All 6 test case(s) passed.');
    expect(output).not.toMatch(/^(reports|testReports|schema|api-tests|keploy)$/m);
    expect(output).toContain('1 mock(s) present and not replayed (Postgres: 1)');
    expect(code).toBe(0);
  });

  it('reads keploy.yml beside keploy/ when --dir is the keploy folder itself', async () => {
    expect(await run(['--dir', join(app, 'keploy')])).toMatchObject({ code: 0, output: expect.stringContaining('All 6 test case(s) passed.') });
  });

  it('fails with --strict-mocks when mocks of another kind than Http are present', async () => {
    const { code, output } = await run(['--dir', app, '--strict-mocks']);
    expect(code).toBe(1);
    expect(output).toContain('failing the set (--strict-mocks)');
    expect(output).toContain('but 1 mock(s) were not replayed (--strict-mocks)');
  });

  it('sends the recorded body of a GET request', async () => {
    variation.ignoreGetBody = true;
    const { code, output } = await run(['--dir', app, '--test', 'test-1']);
    expect(code).toBe(1);
    expect(output).toContain('body.filter');
    expect(server.hits).toContain('GET /search');
  });

  it('passes a reordered array (ignoreOrdering), and fails one that lost an item', async () => {
    expect((await run(['--dir', app, '--test', 'test-2'])).code).toBe(0);
    variation.itemOrder = [2, 0, 0];
    const { code, output } = await run(['--dir', app, '--test', 'test-2']);
    expect(code).toBe(1);
    expect(output).toContain('body.items[');
  });

  it('compares arrays in order when keploy.yml sets ignoreOrdering: false', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      await cp(app, dir, { recursive: true });
      await writeFile(join(dir, 'keploy.yml'), 'test:\n    globalNoise:\n        global:\n            body:\n                updatedAt: []\n    ignoreOrdering: false\n');
      const { code, output } = await run(['--dir', dir, '--test', 'test-2']);
      expect(code).toBe(1);
      expect(output).toContain('body.items[0].id');
    } finally {
      await remove();
    }
  });

  it('compares a !!binary body byte for byte', async () => {
    expect((await run(['--dir', app, '--test', 'test-3'])).code).toBe(0);
    variation.pngByte = 0xfd;
    const { code, output } = await run(['--dir', app, '--test', 'test-3']);
    expect(code).toBe(1);
    expect(output).toContain('13 bytes (binary)');
  });

  it('compares two Set-Cookie values on one line as the list they are, commas inside included', async () => {
    expect((await run(['--dir', app, '--test', 'test-4'])).code).toBe(0);
    variation.cookies = ['session=abc123; Path=/; HttpOnly'];
    expect(await run(['--dir', app, '--test', 'test-4'])).toMatchObject({ code: 1, output: expect.stringContaining('header.Set-Cookie') });
    variation.cookies = ['session=abc123; Path=/; HttpOnly', 'theme=dark; Expires=Wed, 21 Oct 2026 07:28:01 GMT; Path=/'];
    expect((await run(['--dir', app, '--test', 'test-4'])).code).toBe(1);
  });

  it('tells apart integers beyond 2^53 that differ in the last digit', async () => {
    expect((await run(['--dir', app, '--test', 'test-5'])).code).toBe(0);
    variation.accountId = '12345678901234567892';
    const { code, output } = await run(['--dir', app, '--test', 'test-5']);
    expect(code).toBe(1);
    expect(output).toContain('- expected: 12345678901234567893');
    expect(output).toContain('+ actual:   12345678901234567892');
  });

  it('ignores a header under per-test-set regex noise only when the value matches', async () => {
    variation.servedAt = 'yesterday';
    expect(await run(['--dir', app, '--test', 'test-6'])).toMatchObject({ code: 1, output: expect.stringContaining('header.X-Served-At') });
  });

  it('skips a body that is not JSON unless keploy.yml sets compareAll', async () => {
    variation.clockBody = 'something else';
    expect((await run(['--dir', app, '--test', 'test-6'])).code).toBe(0);
    const { dir, remove } = await temporaryDir();
    try {
      await cp(app, dir, { recursive: true });
      await writeFile(join(dir, 'keploy.yml'), 'test:\n    compareAll: true\n    globalNoise:\n        global:\n            header:\n                X-Served-At: []\n');
      expect(await run(['--dir', dir, '--test', 'test-6'])).toMatchObject({ code: 1, output: expect.stringContaining('something else') });
    } finally {
      await remove();
    }
  });

  it("runs only keploy.yml's selectedTests, in the order the requests were recorded", async () => {
    const { dir, remove } = await temporaryDir();
    try {
      await cp(app, dir, { recursive: true });
      await writeFile(join(dir, 'keploy.yml'), 'test:\n    selectedTests:\n        test-set-0: [test-5, test-2]\n    globalNoise:\n        global:\n            body:\n                updatedAt: []\n');
      const { code, output } = await run(['--dir', dir]);
      expect(code).toBe(0);
      expect(output).toContain('All 2 test case(s) passed.');
      expect(output.indexOf('test-2  GET /items')).toBeLessThan(output.indexOf('test-5  GET /accounts'));
      expect(output).not.toContain('test-1');
    } finally {
      await remove();
    }
  });

  it('refuses a keploy.yml noise value that is not a list, naming the file and the key', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      await cp(app, dir, { recursive: true });
      await writeFile(join(dir, 'keploy.yml'), 'test:\n    globalNoise:\n        global:\n            body:\n                updatedAt: "always"\n');
      const { code, output } = await run(['--dir', dir]);
      expect(code).toBe(2);
      expect(output).toContain(`${join(dir, 'keploy.yml')}: noise "test.globalNoise.global.body.updatedAt" must be a list of regular expressions`);
    } finally {
      await remove();
    }
  });

  it('fails, saying where it looked, when there is no test case (an app folder without keploy/, or only reports)', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      await mkdir(join(dir, 'keploy', 'reports', 'test-run-0'), { recursive: true });
      await mkdir(join(dir, 'keploy', 'test-set-0'), { recursive: true });
      const empty = await run(['--dir', dir]);
      expect(empty.code).toBe(2);
      expect(empty.output).toContain(`No test cases found in ${join(dir, 'keploy')} (test sets read: test-set-0)`);
      expect(empty.output).not.toContain('passed');
      const filtered = await run(['--dir', app, '--test', 'test-99']);
      expect(filtered).toMatchObject({ code: 2, output: expect.stringContaining('No test cases found') });
    } finally {
      await remove();
    }
  });
});

describe('a run that checks nothing', () => {
  it('fails when every test case is of a kind that is not replayed (gRPC)', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      await mkdir(join(dir, 'keploy', 'test-set-0', 'tests'), { recursive: true });
      await writeFile(join(dir, 'keploy', 'test-set-0', 'tests', 'test-1.yaml'), 'version: api.keploy.io/v1beta1\nkind: gRPC\nname: test-1\nspec:\n    grpcReq: {}\n');
      const lines: string[] = [];
      const code = await main(['test', '--dir', dir, '--base-url', 'http://127.0.0.1:9', '--no-color'], (text) => lines.push(text));
      expect(code).toBe(2);
      expect(lines.join('\n')).toContain('No test cases found in');
    } finally {
      await remove();
    }
  });
});
