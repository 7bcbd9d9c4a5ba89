import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import {
  UnmatchedRequestError, isHttpMock, isHttpTestCase, readTestSet, runTestSet, startRecording, writeTestSet, type HttpMock,
  type RecordingSession,
} from '../src/index.js';
import { temporaryDir } from './support/local-server.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const nhostDir = join(fixtures, 'ts-nhost', 'keploy');
const mongoDir = join(fixtures, 'express-mongoose', 'keploy');

let session: RecordingSession | undefined;
let server: Server | undefined;
afterEach(async () => {
  await session?.stop();
  session = undefined;
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

describe("Keploy's own files", () => {
  it('loads the ts-nhost test set: HTTP tests with noise and curl, HTTP mocks with host-less URLs', async () => {
    const set = await readTestSet(join(nhostDir, 'test-set-1'));
    expect(set.tests.map((test) => test.name)).toEqual(['test-1', 'test-2', 'test-3', 'test-4', 'test-5', 'test-6', 'test-7', 'test-8']);
    const [first] = set.tests.filter(isHttpTestCase);
    expect(first!.request).toMatchObject({ method: 'POST', url: 'http://localhost:3000/users', timestamp: '2024-07-31T21:13:23.94427882Z' });
    expect(first!.response).toMatchObject({ status: 200, statusMessage: 'OK' });
    expect(first!.noise).toEqual({ 'header.Date': [] });
    expect(first!.created).toBe(1722460407);
    expect(first!.curl).toContain('curl --request POST');
    const http = set.mocks.filter(isHttpMock);
    expect(http).toHaveLength(9);
    expect(http[0]!.request.url).toBe('/v1/graphql');
    expect(http[0]!.metadata).toEqual({ name: 'Http', operation: 'POST', type: 'HTTP_CLIENT' });
  });

  it('loads the express-mongoose Mongo mocks and keeps them, and the HTTP replayer skips them', async () => {
    const set = await readTestSet(join(mongoDir, 'test-set-0'));
    expect(set.tests).toHaveLength(3);
    expect(set.mocks).toHaveLength(9);
    expect(set.mocks.every((mock) => mock.kind === 'Mongo' && !isHttpMock(mock))).toBe(true);
    session = await startRecording({ dir: mongoDir, testSet: 'test-set-0', mode: 'replay', env: {} });
    expect(session.mocks).toHaveLength(9);
    expect(() => session!.assertAllUsed()).not.toThrow();
    await expect(fetch('http://localhost:8000/students')).rejects.toThrow(UnmatchedRequestError);
  });

  it('writes the documents it read back unchanged (round trip through writeTestSet)', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      for (const [source, name] of [[nhostDir, 'test-set-1'], [mongoDir, 'test-set-0']] as const) {
        const set = await readTestSet(join(source, name));
        await writeTestSet(join(dir, name), set);
        const again = await readTestSet(join(dir, name));
        expect(again.tests).toEqual(set.tests);
        expect(again.mocks).toEqual(set.mocks);
        const original = parseAllDocuments(await readFile(join(source, name, 'mocks.yaml'), 'utf8')).map((doc) => doc.toJS());
        const written = parseAllDocuments(await readFile(join(dir, name, 'mocks.yaml'), 'utf8')).map((doc) => doc.toJS());
        expect(written).toEqual(original);
      }
    } finally {
      await remove();
    }
  });

  it('replays a host-less Keploy mock on any host, ignoring JSON key order', async () => {
    const { mocks } = await readTestSet(join(nhostDir, 'test-set-1'));
    const recorded = JSON.parse((mocks[0] as HttpMock).request.body) as { query: string; variables: unknown };
    session = await startRecording({ dir: nhostDir, testSet: 'test-set-1', mode: 'replay', env: {} });
    const response = await fetch('http://hasura.example.test:8080/v1/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ variables: recorded.variables, query: recorded.query }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { insertUser: { id: 'f14a7f34-c7c6-4c60-a81f-7ca895e08af0', displayName: 'Arpit', email: 'arpit@gmail.com' } } });
    expect(response.headers.get('content-length')).toBeNull();
  });

  it('runs ts-nhost test cases against a service that calls Hasura, with the recorded mocks answering', async () => {
    const { mocks } = await readTestSet(join(nhostDir, 'test-set-1'));
    const queryOf = (index: number): string => (JSON.parse((mocks[index] as HttpMock).request.body) as { query: string }).query;
    // Express's weak ETag: length in hex and the start of the body's SHA-1.
    const etag = (body: string): string => `W/"${Buffer.byteLength(body).toString(16)}-${createHash('sha1').update(body).digest('base64').slice(0, 27)}"`;
    const graphql = async (body: unknown): Promise<{ data: Record<string, unknown> }> => {
      const response = await fetch('http://127.0.0.1:9/v1/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return (await response.json()) as { data: Record<string, unknown> };
    };
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', async () => {
        let payload: unknown;
        if (request.method === 'POST' && request.url === '/users') {
          const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { email: string; password: string; locale: string; displayName: string };
          const { data } = await graphql({ query: queryOf(0), variables: { object: { email: input.email, passwordHash: input.password, locale: input.locale, displayName: input.displayName } } });
          payload = { message: 'Successfully created a user', user: data.insertUser };
        } else if (request.method === 'GET' && request.url === '/users') {
          payload = (await graphql({ query: queryOf(1) })).data.users;
        }
        const body = JSON.stringify(payload);
        response.writeHead(200, {
          'X-Powered-By': 'Express',
          'Access-Control-Allow-Origin': '*',
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(body),
          ETag: etag(body),
        });
        response.end(body);
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { dir, remove } = await temporaryDir();
    try {
      await cp(nhostDir, dir, { recursive: true });
      const result = await runTestSet({ dir, testSet: 'test-set-1', baseUrl, tests: ['test-1', 'test-2'] });
      expect(result.results.map((test) => [test.name, test.status, test.differences])).toEqual([
        ['test-1', 'passed', []],
        ['test-2', 'passed', []],
      ]);
      expect(result.unusedMocks).toHaveLength(7);
    } finally {
      await remove();
    }
  });
});
