import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { isHttpTestCase, readTestSet, recordIncoming, runTestSet, startRecording, type HttpTestCase } from '../src/index.js';
import { nodeRequest, readChunks, startLocalServer, temporaryDir, type LocalServer } from './support/local-server.js';

let dir: string;
let removeDir: () => Promise<void>;
let server: Server | undefined;

beforeEach(async () => {
  ({ dir, remove: removeDir } = await temporaryDir());
});
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
  await removeDir();
});

const listen = async (handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> => {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

/** A service that reads its JSON body itself, after an await, and answers with a request id and a time. */
const service = (greeting: string) => async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
  await Promise.resolve();
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const input = chunks.length === 0 ? {} : (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { name?: string });
  response.setHeader('content-type', 'application/json');
  response.setHeader('x-request-id', String(Math.random()));
  response.end(JSON.stringify({ greeting: `${greeting}, ${input.name ?? 'nobody'}`, at: Date.now() }));
};

describe('recordIncoming', () => {
  it('records an absolute-form request target as its own URL, with the userinfo password redacted', async () => {
    const recorder = recordIncoming({ dir, testSet: 'test-set-0' });
    const url = await listen(recorder.wrap((_request, response) => response.end('ok')));
    const { port } = new URL(url);
    // What a client configured to use this service as its HTTP proxy sends.
    const socket = connect(Number(port), '127.0.0.1');
    socket.end('GET http://svc:Hunter2-Proxy-Pass@other.example/x?token=abc123def456 HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n');
    await new Promise<void>((resolve) => socket.on('close', () => resolve()).resume());
    await recorder.flush();
    const text = await readFile(join(dir, 'test-set-0', 'tests', 'test-1.yaml'), 'utf8');
    expect(text).not.toContain('Hunter2-Proxy-Pass');
    expect(text).not.toContain('abc123def456');
    expect(recorder.recorded[0]!.request.url).toMatch(/^http:\/\/svc:[^@]*@other\.example\/x\?token=/);
  });

  it('reports a test case it cannot write without the query tokens of its URL', async () => {
    const printed: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' ')));
    try {
      // `tests` is a file, so the test case cannot be written.
      await mkdir(join(dir, 'test-set-0'), { recursive: true });
      await writeFile(join(dir, 'test-set-0', 'tests'), 'not a folder');
      const recorder = recordIncoming({ dir, testSet: 'test-set-0' });
      const url = await listen(recorder.wrap((_request, response) => response.end('ok')));
      await nodeRequest(`${url}/callback?access_token=ghp_R3v13wC4n4ry0123456789abcdefghijKL`);
      await recorder.flush();
    } finally {
      spy.mockRestore();
    }
    expect(printed.join('\n')).toContain('could not write a test case for GET');
    expect(printed.join('\n')).not.toContain('ghp_R3v13wC4n4ry0123456789abcdefghijKL');
  });

  it('writes each request into the service as a Keploy test case, without taking the body from the service', async () => {
    const recorder = recordIncoming({ dir, testSet: 'test-set-0', noise: { 'body.at': [] } });
    const url = await listen(recorder.wrap(service('Hello')));
    const live = await nodeRequest(`${url}/greet?lang=en`, { method: 'POST', headers: { 'content-type': 'application/json' } }, JSON.stringify({ name: 'Ada' }));
    expect(JSON.parse(live.body)).toMatchObject({ greeting: 'Hello, Ada' });
    await recorder.flush();

    const document = parse(await readFile(join(dir, 'test-set-0', 'tests', 'test-1.yaml'), 'utf8')) as Record<string, any>;
    expect(document).toMatchObject({ version: 'api.keploy.io/v1beta1', kind: 'Http', name: 'test-1' });
    expect(Object.keys(document.spec)).toEqual(['metadata', 'req', 'resp', 'objects', 'assertions', 'created', 'app_port']);
    expect(document.spec.req).toMatchObject({ method: 'POST', proto_major: 1, proto_minor: 1, url: `${url}/greet?lang=en`, body: '{"name":"Ada"}' });
    expect(document.spec.resp).toMatchObject({ status_code: 200, status_message: 'OK', proto_major: 0, proto_minor: 0 });
    expect(document.spec.assertions.noise).toEqual({ 'header.Date': [], 'header.X-Request-Id': [], 'header.Connection': [], 'header.Keep-Alive': [], 'body.at': [] });
    expect(document.curl).toContain(`--url '${url}/greet?lang=en'`);
    expect(document.curl).toContain(`--data '{"name":"Ada"}'`);
    expect(recorder.recorded.map((test) => test.name)).toEqual(['test-1']);
  });

  it('numbers new test cases after the existing ones and records nothing when disabled', async () => {
    const first = recordIncoming({ dir, testSet: 'test-set-0' });
    const url = await listen((request, response) => first(request, response, () => response.end('ok')));
    await nodeRequest(`${url}/a`);
    await nodeRequest(`${url}/b`);
    await first.flush();
    server!.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    const second = recordIncoming({ dir, testSet: 'test-set-0' });
    const disabled = recordIncoming({ dir, testSet: 'test-set-0', enabled: false });
    const url2 = await listen(disabled.wrap(second.wrap((_request, response) => response.end('ok'))));
    await nodeRequest(`${url2}/c`);
    await second.flush();
    const { tests } = await readTestSet(join(dir, 'test-set-0'));
    expect(tests.filter(isHttpTestCase).map((test) => `${test.name} ${new URL(test.request.url).pathname}`)).toEqual(['test-1 /a', 'test-2 /b', 'test-3 /c']);
    expect(disabled.recorded).toEqual([]);
  });

  it('records a streamed response with its chunks', async () => {
    const recorder = recordIncoming({ dir, testSet: 'test-set-0' });
    const url = await listen(
      recorder.wrap((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('data: a\n\n');
        response.write('data: b\n\n');
        response.end();
      }),
    );
    await nodeRequest(`${url}/events`);
    await recorder.flush();
    const [test] = (await readTestSet(join(dir, 'test-set-0'))).tests as HttpTestCase[];
    expect(test!.response.chunks?.map((chunk) => chunk.data)).toEqual(['data: a\n\n', 'data: b\n\n']);
    expect(test!.response.body).toBe('data: a\n\ndata: b\n\n');
  });
});

describe('runTestSet', () => {
  let upstream: LocalServer;
  afterEach(async () => upstream.close());

  /** Records a service that calls an upstream, into test cases and mocks of the same set. */
  const recordService = async (): Promise<void> => {
    upstream = await startLocalServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ name: 'Ada' }));
    });
    let origin = '';
    const session = await startRecording({ dir, testSet: 'test-set-0', mode: 'record', env: {}, passthrough: ({ url }) => url.origin === origin });
    const recorder = recordIncoming({ dir, testSet: 'test-set-0', noise: { 'body.at': [] } });
    const handler = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
      const user = (await (await fetch(`${upstream.url}/user`)).json()) as { name: string };
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ greeting: `Hello, ${user.name}`, path: request.url, at: Date.now() }));
    };
    origin = await listen(recorder.wrap(handler));
    await (await fetch(`${origin}/greet`)).text();
    await (await fetch(`${origin}/greet?twice=1`)).text();
    await recorder.flush();
    await session.stop();
    server!.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    await upstream.close();
  };

  it('replays the test cases against the service with its mocks active, and passes', async () => {
    await recordService();
    let calls = 0;
    const url = await listen(async (request, response) => {
      calls++;
      const user = (await (await fetch(`${upstream.url}/user`)).json()) as { name: string };
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ greeting: `Hello, ${user.name}`, path: request.url, at: 0 }));
    });
    const result = await runTestSet({ dir, testSet: 'test-set-0', baseUrl: url });
    expect(result).toMatchObject({ ok: true, passed: 2, failed: 0, total: 2, unusedMocks: [] });
    expect(calls).toBe(2);
  });

  it('fails a test case whose response changed, naming the field', async () => {
    await recordService();
    const url = await listen((request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ greeting: 'Hi, Ada', path: request.url, at: 0 }));
    });
    const result = await runTestSet({ dir, testSet: 'test-set-0', baseUrl: url, mocks: false });
    expect(result.ok).toBe(false);
    expect(result.results[0]!.differences).toEqual([{ field: 'body.greeting', expected: '"Hello, Ada"', actual: '"Hi, Ada"' }]);
  });

  it('reports a request that could not be made as a failure with its reason', async () => {
    await recordService();
    const result = await runTestSet({ dir, testSet: 'test-set-0', baseUrl: 'http://127.0.0.1:9', mocks: false });
    expect(result.failed).toBe(2);
    expect(result.results[0]!.error).toMatch(/fetch failed|ECONNREFUSED/);
  });
});

describe('chunked replay through a service', () => {
  it('serves recorded chunks to a service that streams them on', async () => {
    const upstream = await startLocalServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: 1\n\n');
      setImmediate(() => response.end('data: 2\n\n'));
    });
    const session = await startRecording({ dir, testSet: 'test-set-0', mode: 'record', env: {} });
    await readChunks(await fetch(`${upstream.url}/s`));
    await session.stop();
    await upstream.close();
    const replay = await startRecording({ dir, testSet: 'test-set-0', mode: 'replay', env: {} });
    try {
      const chunks = await readChunks(await fetch(`${upstream.url}/s`));
      expect(chunks.join('')).toBe('data: 1\n\ndata: 2\n\n');
    } finally {
      await replay.stop();
    }
  });
});
