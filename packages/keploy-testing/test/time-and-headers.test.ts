import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@tta/primitives/testing';
import {
  NOISE_PRESETS, recordIncoming, recordedTimeClock, runTestSet, startRecording, writeTestSet,
  type HttpTestCase, type RecordingSession,
} from '../src/index.js';
import { compareResponse } from '../src/runner/compare-response.js';
import { startLocalServer, temporaryDir, type LocalServer } from './support/local-server.js';

let dir: string;
let removeDir: () => Promise<void>;
let server: LocalServer | undefined;
let session: RecordingSession | undefined;
beforeEach(async () => {
  ({ dir, remove: removeDir } = await temporaryDir());
});
afterEach(async () => {
  await session?.stop();
  session = undefined;
  await server?.close();
  server = undefined;
  await removeDir();
});

const cookies = ['session=abc; Path=/; HttpOnly', 'theme=dark; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/'];

describe('repeated header values, as Keploy writes them', () => {
  it('records a header sent twice joined with "," and passes against the same service', async () => {
    const recorder = recordIncoming({ dir, testSet: 'test-set-0' });
    const app = createServer(recorder.wrap((_request, reply) => {
      reply.writeHead(200, { 'Content-Type': 'application/json', 'X-Tag': ['blue', 'cheap'] });
      reply.end('{"ok":true}');
    }));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(app.address() as { port: number }).port}`;
    try {
      await (await fetch(`${url}/login`)).text();
      await recorder.flush();
      const written = parse(await readFile(join(dir, 'test-set-0', 'tests', 'test-1.yaml'), 'utf8')) as { spec: { resp: { header: Record<string, string> } } };
      expect(written.spec.resp.header['X-Tag']).toBe('blue,cheap');
      const result = await runTestSet({ dir, testSet: 'test-set-0', baseUrl: url, mocks: false, config: false });
      expect(result.results[0]).toMatchObject({ status: 'passed', differences: [] });
    } finally {
      app.closeAllConnections();
      await new Promise((resolve) => app.close(resolve));
    }
  });

  it('replays a Set-Cookie line that Keploy wrote (values joined with ",") as separate cookies', async () => {
    await writeTestSet(join(dir, 'test-set-0'), {
      tests: [],
      mocks: [{
        kind: 'Http', name: 'mock-0', metadata: {}, created: 0,
        request: { method: 'GET', url: 'https://api.test/c', headers: {}, body: '', timestamp: '' },
        response: { status: 200, statusMessage: 'OK', headers: { 'Set-Cookie': cookies.join(',') }, body: 'ok', timestamp: '' },
      }],
    });
    session = await startRecording({ dir, testSet: 'test-set-0', mode: 'replay', env: {} });
    expect((await fetch('https://api.test/c')).headers.getSetCookie()).toEqual(cookies);
  });
});

describe('time', () => {
  const recorded: HttpTestCase = {
    kind: 'Http', name: 'test-1',
    request: { method: 'GET', url: '/token', headers: {}, body: '', timestamp: '2024-12-07T14:00:00Z' },
    response: {
      status: 200, statusMessage: 'OK', timestamp: '2024-12-07T14:00:01Z',
      headers: { 'Content-Type': 'application/json', Date: 'Sat, 07 Dec 2024 14:00:01 GMT' },
      body: '{"user":{"createdAt":"2024-12-07T14:00:00Z","token":"eyJhbGciOiJIUzI1NiJ9.eyJpYXQiOjE3MzM1ODAwMDB9.c2ln"}}',
    },
    noise: {}, created: 1733580000, curl: '',
  };
  const nextDay = {
    status: 200,
    headers: new Headers({ 'content-type': 'application/json', date: 'Sun, 08 Dec 2024 09:00:00 GMT' }),
    body: '{"user":{"createdAt":"2024-12-08T09:00:00Z","token":"eyJhbGciOiJIUzI1NiJ9.eyJpYXQiOjE3MzM2NDg0MDB9.b3RoZXI"}}',
  };

  it('fails the next day without presets, and passes with the time and jwt presets', () => {
    expect(compareResponse(recorded.response, nextDay, {}).map((difference) => difference.field)).toEqual(['header.Date', 'body.user.createdAt', 'body.user.token']);
    const noise = { ...NOISE_PRESETS.time.noise, ...NOISE_PRESETS.jwt.noise };
    const anyDepth = { ...NOISE_PRESETS.time.anyDepth, ...NOISE_PRESETS.jwt.anyDepth };
    expect(compareResponse(recorded.response, nextDay, noise, { anyDepthNoise: anyDepth })).toEqual([]);
  });

  it('still fails when a preset field changes shape: a token that is not a JWT any more', () => {
    const broken = { ...nextDay, body: nextDay.body.replace(/"token":"[^"]+"/, '"token":"invalid"') };
    expect(compareResponse(recorded.response, broken, NOISE_PRESETS.jwt.noise, { anyDepthNoise: NOISE_PRESETS.jwt.anyDepth }).map((difference) => difference.field)).toEqual([
      'header.Date', 'body.user.createdAt', 'body.user.token',
    ]);
  });

  it('moves an app clock to each test case’s recorded time, so what the app stamps matches', async () => {
    const base = new ManualClock(Date.parse('2030-01-01T00:00:00Z'));
    const clock = recordedTimeClock(base);
    server = await startLocalServer((_request, reply) => {
      reply.writeHead(200, { 'Content-Type': 'application/json', Date: new Date(clock.now() + 1000).toUTCString() });
      reply.end(JSON.stringify({ user: { createdAt: new Date(clock.now()).toISOString().replace('.000', ''), token: 'eyJhbGciOiJIUzI1NiJ9.eyJpYXQiOjE3MzM1ODAwMDB9.c2ln' } }));
    });
    await writeTestSet(join(dir, 'test-set-0'), { tests: [recorded], mocks: [] });
    const result = await runTestSet({ dir, testSet: 'test-set-0', baseUrl: server.url, mocks: false, config: false, appClock: clock });
    expect(result.results[0]).toMatchObject({ status: 'passed' });
    expect(clock.now()).toBe(base.now());
    expect(() => clock.travelTo('not a time')).toThrow('must be an RFC 3339 time or epoch milliseconds');
  });

  it('refuses an unknown noise preset', async () => {
    await expect(runTestSet({ dir, testSet: 'x', baseUrl: 'http://127.0.0.1:9', noisePresets: ['dates' as 'time'] })).rejects.toThrow('unknown preset "dates"');
  });
});
