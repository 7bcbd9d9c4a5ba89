import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@tta/primitives/testing';
import { InvalidOptionsError } from '@tta/primitives';
import {
  RecordingInUseError, TestSetNotFoundError, UnmatchedRequestError, UnusedMocksError, isHttpMock, readTestSet, startRecording,
  type RecordingSession,
} from '../src/index.js';
import { nodeRequest, readChunks, startLocalServer, temporaryDir, type LocalServer } from './support/local-server.js';

let server: LocalServer;
let dir: string;
let removeDir: () => Promise<void>;
let session: RecordingSession | undefined;

const jsonHandler = (request: IncomingMessage, response: ServerResponse, body: string): void => {
  response.setHeader('content-type', 'application/json');
  response.setHeader('x-server', 'local');
  response.end(JSON.stringify({ method: request.method, url: request.url, received: body === '' ? null : JSON.parse(body) }));
};

beforeEach(async () => {
  ({ dir, remove: removeDir } = await temporaryDir());
  server = await startLocalServer(jsonHandler);
});

afterEach(async () => {
  await session?.stop();
  session = undefined;
  await server.close();
  await removeDir();
});

const start = async (mode: 'record' | 'replay' | 'update' | 'off', extra: Partial<Parameters<typeof startRecording>[0]> = {}): Promise<RecordingSession> => {
  session = await startRecording({ dir, testSet: 'test-set-0', mode, env: {}, ...extra });
  return session;
};

describe('startRecording: record then replay', () => {
  it('records fetch and node:http calls to a real server and replays them identically with the server stopped', async () => {
    const recorder = await start('record');
    const liveFetch = await fetch(`${server.url}/users/1?b=2&a=1`);
    const liveFetchBody = await liveFetch.text();
    const livePost = await nodeRequest(`${server.url}/users`, { method: 'POST', headers: { 'content-type': 'application/json' } }, JSON.stringify({ name: 'Ada', age: 36 }));
    await recorder.stop();
    await server.close();

    const set = await readTestSet(join(dir, 'test-set-0'));
    expect(set.mocks.filter(isHttpMock).map((mock) => `${mock.request.method} ${mock.request.url}`)).toEqual([
      `GET ${server.url}/users/1?b=2&a=1`,
      `POST ${server.url}/users`,
    ]);

    await start('replay');
    const replayedFetch = await fetch(`${server.url}/users/1?b=2&a=1`);
    expect(replayedFetch.status).toBe(liveFetch.status);
    expect(replayedFetch.headers.get('content-type')).toBe('application/json');
    expect(replayedFetch.headers.get('x-server')).toBe('local');
    expect(await replayedFetch.text()).toBe(liveFetchBody);
    const replayedPost = await nodeRequest(`${server.url}/users`, { method: 'POST', headers: { 'content-type': 'application/json' } }, JSON.stringify({ name: 'Ada', age: 36 }));
    expect(replayedPost.status).toBe(livePost.status);
    expect(replayedPost.body).toBe(livePost.body);
    expect(replayedPost.headers['x-server']).toBe('local');
    session!.assertAllUsed();
  });

  it('ignores query order and JSON key order when matching', async () => {
    const recorder = await start('record');
    await (await fetch(`${server.url}/search?q=ada&page=2`)).text();
    await (await fetch(`${server.url}/items`, { method: 'POST', body: JSON.stringify({ a: 1, nested: { x: 1, y: [1, 2] } }) })).text();
    await recorder.stop();
    await start('replay');
    expect((await fetch(`${server.url}/search?page=2&q=ada`)).status).toBe(200);
    const post = await fetch(`${server.url}/items`, { method: 'POST', body: JSON.stringify({ nested: { y: [1, 2], x: 1 }, a: 1 }) });
    expect(await post.json()).toMatchObject({ received: { a: 1 } });
    expect(server.hits).toHaveLength(2);
  });

  it('rejects an unmatched request with UnmatchedRequestError naming method and URL, without reaching the network', async () => {
    const recorder = await start('record');
    await (await fetch(`${server.url}/known`)).text();
    await recorder.stop();
    const hitsBefore = server.hits.length;
    const replay = await start('replay');

    const fetchError = await fetch(`${server.url}/unknown?x=1`, { method: 'DELETE' }).catch((error: unknown) => error);
    expect(UnmatchedRequestError.isInstance(fetchError)).toBe(true);
    expect((fetchError as UnmatchedRequestError).message).toContain(`DELETE ${server.url}/unknown?x=1`);
    expect((fetchError as UnmatchedRequestError).code).toBe('UNMATCHED_REQUEST');

    const httpError = await nodeRequest(`${server.url}/known`, { method: 'POST' }, 'different').catch((error: unknown) => error);
    expect(UnmatchedRequestError.isInstance(httpError)).toBe(true);
    expect((httpError as Error).message).toContain(`POST ${server.url}/known`);
    expect((httpError as Error).message).toContain('mock-0 (differs in method');

    expect(server.hits.length).toBe(hitsBefore);
    expect(replay.unmatched.map((error) => error.method)).toEqual(['DELETE', 'POST']);
  });

  it('consumes identical recordings in order, then reuses the last one', async () => {
    let counter = 0;
    await server.close();
    server = await startLocalServer((_request, response) => {
      response.end(`call ${++counter}`);
    });
    const recorder = await start('record');
    for (let call = 0; call < 3; call++) await (await fetch(`${server.url}/counter`)).text();
    await recorder.stop();
    await start('replay');
    const bodies: string[] = [];
    for (let call = 0; call < 4; call++) bodies.push(await (await fetch(`${server.url}/counter`)).text());
    expect(bodies).toEqual(['call 1', 'call 2', 'call 3', 'call 3']);
  });

  it('names the unused recordings in assertAllUsed()', async () => {
    const recorder = await start('record');
    await (await fetch(`${server.url}/a`)).text();
    await (await fetch(`${server.url}/b`)).text();
    await recorder.stop();
    const replay = await start('replay');
    await (await fetch(`${server.url}/a`)).text();
    expect(() => replay.assertAllUsed()).toThrow(UnusedMocksError);
    expect(() => replay.assertAllUsed()).toThrow(`mock-1 (GET ${server.url}/b)`);
    expect(replay.unusedMocks().map((mock) => mock.name)).toEqual(['mock-1']);
  });

  it('compares headers only when listed in matchHeaders', async () => {
    const recorder = await start('record');
    await (await fetch(`${server.url}/tenant`, { headers: { 'x-tenant': 'blue' } })).text();
    await recorder.stop();
    const loose = await start('replay');
    expect((await fetch(`${server.url}/tenant`, { headers: { 'x-tenant': 'red' } })).status).toBe(200);
    await loose.stop();
    await start('replay', { matchHeaders: ['x-tenant'] });
    expect((await fetch(`${server.url}/tenant`, { headers: { 'x-tenant': 'blue' } })).status).toBe(200);
    await expect(fetch(`${server.url}/tenant`, { headers: { 'x-tenant': 'red' } })).rejects.toThrow(/differs in header x-tenant/);
  });
});

describe('startRecording: modes', () => {
  it('update replays what is recorded and records only what is missing', async () => {
    const recorder = await start('record');
    await (await fetch(`${server.url}/old`)).text();
    await recorder.stop();
    await start('update');
    await (await fetch(`${server.url}/old`)).text();
    await (await fetch(`${server.url}/new`)).text();
    await (await fetch(`${server.url}/new`)).text();
    await session!.stop();
    expect(server.hits).toEqual(['GET /old', 'GET /new']);
    const { mocks } = await readTestSet(join(dir, 'test-set-0'));
    expect(mocks.map((mock) => mock.name)).toEqual(['mock-0', 'mock-1']);
  });

  it('off intercepts nothing and writes nothing', async () => {
    const off = await start('off');
    expect(off.mode).toBe('off');
    expect((await fetch(`${server.url}/live`)).status).toBe(200);
    await off.stop();
    expect(server.hits).toEqual(['GET /live']);
    await expect(readTestSet(join(dir, 'test-set-0'))).rejects.toThrow(TestSetNotFoundError);
  });

  it('lets TTA_RECORD_MODE override the mode given in code, and refuses an unknown value', async () => {
    session = await startRecording({ dir, testSet: 'test-set-0', mode: 'replay', env: { TTA_RECORD_MODE: 'record' } });
    expect(session.mode).toBe('record');
    await (await fetch(`${server.url}/env`)).text();
    await session.stop();
    session = undefined;
    expect((await readTestSet(join(dir, 'test-set-0'))).mocks).toHaveLength(1);
    await expect(startRecording({ dir, testSet: 'test-set-0', env: { TTA_RECORD_MODE: 'sometimes' } })).rejects.toThrow(InvalidOptionsError);
  });

  it('fails at start when replaying a test set that does not exist', async () => {
    const error = await startRecording({ dir, testSet: 'test-set-7', mode: 'replay', env: {} }).catch((caught: unknown) => caught);
    expect(TestSetNotFoundError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('Test set "test-set-7" not found');
  });

  it('allows one active session at a time', async () => {
    await start('record');
    await expect(startRecording({ dir, testSet: 'other', mode: 'record', env: {} })).rejects.toThrow(RecordingInUseError);
  });

  it('refuses invalid options at start', async () => {
    await expect(startRecording({ dir, testSet: '../escape', env: {} })).rejects.toThrow(InvalidOptionsError);
    await expect(startRecording({ dir, testSet: 'x', streamTiming: 'slow' as never, env: {} })).rejects.toThrow(InvalidOptionsError);
  });

  it('lets passthrough requests reach the network without recording them', async () => {
    await start('replay', { passthrough: ({ url }) => url.pathname === '/health' }).catch(() => undefined);
    session = undefined;
    const recorder = await start('record', { passthrough: ({ url }) => url.pathname === '/health' });
    await (await fetch(`${server.url}/health`)).text();
    await recorder.stop();
    expect((await readTestSet(join(dir, 'test-set-0'))).mocks).toEqual([]);
  });
});

describe('startRecording: bodies', () => {
  it('stores a gzip response decoded and replays it without content-encoding', async () => {
    await server.close();
    server = await startLocalServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
      response.end(gzipSync('compressed hello'));
    });
    const recorder = await start('record');
    const live = await nodeRequest(`${server.url}/zip`);
    expect(live.headers['content-encoding']).toBe('gzip');
    await (await fetch(`${server.url}/zip`)).text();
    await recorder.stop();
    const text = await readFile(join(dir, 'test-set-0', 'mocks.yaml'), 'utf8');
    expect(text.match(/body: compressed hello/g)).toHaveLength(2);
    await start('replay');
    const replayed = await nodeRequest(`${server.url}/zip`);
    expect(replayed.headers['content-encoding']).toBeUndefined();
    expect(replayed.body).toBe('compressed hello');
    expect(await (await fetch(`${server.url}/zip`)).text()).toBe('compressed hello');
  });
});

describe('startRecording: streams', () => {
  /** An SSE server that writes its next event only when the test says so, so chunk boundaries are exact. */
  const startEventServer = async (): Promise<{ next: () => void }> => {
    let writeNext: () => void = () => undefined;
    await server.close();
    server = await startLocalServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const events = ['data: {"delta":"Hel"}\n\n', 'data: {"delta":"lo"}\n\n', 'data: [DONE]\n\n'];
      let index = 0;
      writeNext = () => {
        if (index >= events.length) return;
        response.write(events[index++]);
        if (index === events.length) response.end();
      };
      writeNext();
    });
    return { next: () => writeNext() };
  };

  it('records server-sent events chunk by chunk and replays them chunk by chunk to fetch and node:http', async () => {
    const events = await startEventServer();
    const recorder = await start('record');
    const live = await fetch(`${server.url}/stream`);
    const reader = live.body!.getReader();
    const decoder = new TextDecoder();
    const liveChunks: string[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      liveChunks.push(decoder.decode(value));
      events.next();
    }
    await recorder.stop();
    expect(liveChunks).toEqual(['data: {"delta":"Hel"}\n\n', 'data: {"delta":"lo"}\n\n', 'data: [DONE]\n\n']);
    const [mock] = (await readTestSet(join(dir, 'test-set-0'))).mocks.filter(isHttpMock);
    expect(mock!.response.chunks?.map((chunk) => chunk.data)).toEqual(liveChunks);
    expect(mock!.response.body).toBe(liveChunks.join(''));

    await server.close();
    await start('replay');
    expect(await readChunks(await fetch(`${server.url}/stream`))).toEqual(liveChunks);
    const viaNode = await nodeRequest(`${server.url}/stream`);
    expect(viaNode.chunks).toEqual(liveChunks);
  });

  it('paces a replayed stream as recorded when streamTiming is "recorded"', async () => {
    await writeStreamSet(dir);
    const clock = new ManualClock();
    await start('replay', { streamTiming: 'recorded', clock });
    const response = await fetch('http://stream.test/slow');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    expect(decoder.decode((await reader.read()).value)).toBe('one\n');
    let second: string | undefined;
    const pending = reader.read().then(({ value }) => (second = decoder.decode(value)));
    await clock.tickAsync(499);
    expect(second).toBeUndefined();
    await clock.tickAsync(1);
    await pending;
    expect(second).toBe('two\n');
  });
});

describe('startRecording: https clients', () => {
  it('replays to node:https without any TLS connection', async () => {
    await writeStreamSet(dir);
    await start('replay');
    const { get } = await import('node:https');
    const body = await new Promise<string>((resolve, reject) => {
      get('https://secure.example.test/slow', (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(body).toBe('one\ntwo\n');
  });
});

async function writeStreamSet(target: string): Promise<void> {
  const { writeTestSet } = await import('../src/index.js');
  await writeTestSet(join(target, 'test-set-0'), {
    tests: [],
    mocks: [
      {
        kind: 'Http',
        name: 'mock-0',
        metadata: { type: 'HTTP_CLIENT' },
        created: 0,
        request: { method: 'GET', url: '/slow', headers: {}, body: '', timestamp: '0001-01-01T00:00:00Z' },
        response: {
          status: 200,
          statusMessage: 'OK',
          headers: { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' },
          body: 'one\ntwo\n',
          chunks: [{ data: 'one\n', delayMs: 0 }, { data: 'two\n', delayMs: 500 }],
          timestamp: '0001-01-01T00:00:00Z',
        },
      },
    ],
  });
}
