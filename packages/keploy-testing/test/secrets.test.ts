import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordIncoming, startRecording } from '../src/index.js';
import { nodeRequest, readAllFiles, startLocalServer, temporaryDir, type LocalServer } from './support/local-server.js';

// A value that must never be written: every place it is sent is a place secrets travel.
const CANARY = 'CANARY-5b1e9f-do-not-write';

let upstream: LocalServer;
let dir: string;
let removeDir: () => Promise<void>;

beforeEach(async () => {
  ({ dir, remove: removeDir } = await temporaryDir());
  upstream = await startLocalServer((request, response) => {
    if (request.url === '/chunked') {
      // A chunk boundary in the middle of the secret value.
      response.writeHead(200, { 'content-type': 'application/json' });
      const half = Math.floor(CANARY.length / 2);
      response.write(`{"access_token":"${CANARY.slice(0, half)}`);
      setImmediate(() => response.end(`${CANARY.slice(half)}","ok":true}`));
      return;
    }
    response.setHeader('content-type', 'application/json');
    response.setHeader('set-cookie', `session=${CANARY}; HttpOnly`);
    response.setHeader('x-api-key', CANARY);
    response.end(JSON.stringify({ access_token: CANARY, refresh_token: CANARY, user: { name: 'Ada', password: CANARY } }));
  });
});

afterEach(async () => {
  await upstream.close();
  await removeDir();
});

describe('redaction before writing', () => {
  it('keeps the canary out of every written file, outgoing and incoming', async () => {
    const session = await startRecording({ dir, testSet: 'test-set-0', mode: 'record', env: {} });
    await (
      await fetch(`${upstream.url}/login?api_key=${CANARY}&page=1`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CANARY}`, cookie: `sid=${CANARY}`, 'x-api-key': CANARY, 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'ada', password: CANARY, nested: { apiKey: CANARY, clientSecret: CANARY } }),
      })
    ).text();
    await nodeRequest(`${upstream.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'proxy-authorization': `Basic ${CANARY}` } }, `grant_type=client_credentials&client_secret=${CANARY}`);
    await (await fetch(`${upstream.url}/chunked`)).text();
    await nodeRequest(`${upstream.url}/chunked`);
    await nodeRequest(`${upstream.url}/notes`, { method: 'POST', headers: { 'content-type': 'text/plain' } }, `my key is sk-${CANARY}abcdef and Bearer ${CANARY}`);
    await session.stop();

    const recorder = recordIncoming({ dir, testSet: 'test-set-0' });
    // The service under test, wrapped by the recorder.
    const server = createServer(
      recorder.wrap((_request, response) => {
        response.setHeader('set-cookie', `sid=${CANARY}`);
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ ok: true, secret: CANARY }));
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await nodeRequest(`http://127.0.0.1:${port}/me?token=${CANARY}`, { method: 'POST', headers: { authorization: `Bearer ${CANARY}`, cookie: `sid=${CANARY}`, 'content-type': 'application/json' } }, JSON.stringify({ password: CANARY }));
    await recorder.flush();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const files = await readAllFiles(dir);
    expect(files.map((entry) => entry.file.slice(dir.length))).toEqual(expect.arrayContaining([join('/test-set-0', 'mocks.yaml'), join('/test-set-0', 'tests', 'test-1.yaml')]));
    for (const { file, text } of files) {
      expect(text, file).not.toContain(CANARY);
      expect(text, file).toContain('[REDACTED]');
    }
    // What is not secret is still recorded.
    const mocks = files.find((entry) => entry.file.endsWith('mocks.yaml'))!.text;
    expect(mocks).toContain('"username":"ada"');
    expect(mocks).toContain('grant_type=client_credentials');
    expect(mocks).toContain('page=1');
  });

  it('scrubs literal secrets given in options wherever they appear', async () => {
    const session = await startRecording({ dir, testSet: 'test-set-0', mode: 'record', env: {}, secrets: ['plain-value-42'] });
    await (await fetch(`${upstream.url}/echo/plain-value-42`, { headers: { 'x-note': 'plain-value-42' } })).text();
    await session.stop();
    for (const { text } of await readAllFiles(dir)) expect(text).not.toContain('plain-value-42');
  });
});
