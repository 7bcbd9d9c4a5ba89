import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { step } from '@tta/primitives';
import { getInstrumentations } from '@tta/primitives/instrumentation';
import { startDevtools } from '@tta/devtools';
import { readEvents } from './sse-client.js';

const eventsUrl = (url: string): string => {
  const parsed = new URL(url);
  return `${parsed.origin}/api/events?token=${parsed.searchParams.get('token')}`;
};

const post = (url: string, headers: Record<string, string>, body: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'POST', headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });

const settle = (promise: Promise<unknown>, afterMs: number): Promise<'settled' | 'pending'> =>
  Promise.race([promise.then(() => 'settled' as const), new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), afterMs))]);

/** How many of each kind of handle a server or a socket leaves (timers belong to the test runner). */
const handleCounts = (): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) if (/TCP|Immediate/.test(kind)) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
};

describe('startDevtools under attack', () => {
  it('lets a waitForBrowser() made after close() go instead of hanging forever', async () => {
    const server = await startDevtools({ workflows: { echo: step('echo', async (text: string) => text) }, port: 0 });
    await server.close();
    expect(await settle(server.waitForBrowser(), 200)).toBe('settled');
  });

  it('refuses a same-origin resume sent as a simple request (text/plain, a form) with 415', async () => {
    const server = await startDevtools({ workflows: { echo: step('echo', async (text: string) => text) }, port: 0 });
    try {
      const origin = new URL(server.url).origin;
      const url = `${origin}/api/resume?token=${new URL(server.url).searchParams.get('token')}`;
      const body = JSON.stringify({ workflow: 'echo', runId: 'r1', value: 1 });
      expect(await post(url, { Origin: origin, 'Content-Type': 'text/plain' }, body)).toBe(415);
      expect(await post(url, { Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' }, `x=${body}`)).toBe(415);
      expect(await post(url, { Origin: 'null', 'Content-Type': 'application/json' }, body)).toBe(403);
    } finally {
      await server.close();
    }
  });

  it('keeps a workflow running whose input and error cannot be read (throwing getters, toJSON, cause)', async () => {
    const hostile = {
      toJSON() {
        throw new Error('toJSON exploded');
      },
      get secret(): string {
        throw new Error('getter exploded');
      },
    };
    const nasty = new Error('boom');
    Object.defineProperty(nasty, 'cause', {
      get() {
        throw new Error('cause exploded');
      },
    });
    const failing = step('explode', async (_: unknown) => {
      throw nasty;
    });
    const passing = step('pass', async (value: unknown) => (value === hostile ? 'same' : 'other'));
    const server = await startDevtools({ workflows: { failing, passing }, port: 0 });
    const stream = await readEvents(eventsUrl(server.url));
    try {
      expect(await passing.run(hostile)).toBe('same');
      await expect(failing.run(hostile)).rejects.toBe(nasty);
      const end = await stream.waitFor((event) => event['t'] === 'run-end' && event['status'] === 'failed');
      expect((end['error'] as { message: string }[])[0]?.message).toBe('boom');
    } finally {
      stream.close();
      await server.close();
    }
  });

  it('leaves no socket, server, immediate or instrumentation behind after close(), even with a browser connected', async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const before = handleCounts();
    const echo = step('echo', async (text: string) => text);
    const server = await startDevtools({ workflows: { echo }, port: 0 });
    const stream = await readEvents(eventsUrl(server.url));
    await echo.run('a');
    await stream.waitFor((event) => event['t'] === 'run-end');
    await echo.run('b');
    await server.close();
    stream.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(getInstrumentations()).toHaveLength(0);
    for (const [kind, count] of Object.entries(handleCounts())) expect({ kind, count }).toEqual({ kind, count: Math.min(count, before[kind] ?? 0) });
  });
});
