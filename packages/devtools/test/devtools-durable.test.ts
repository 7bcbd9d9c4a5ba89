import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { SequentialPrimitive, step } from '@tta/primitives';
import { getInstrumentations } from '@tta/primitives/instrumentation';
import { durable, MemoryRunStore, waitFor } from '@tta/durable';
import { startDevtools, type DevtoolsServer } from '@tta/devtools';
import { readEvents, type EventStreamReader } from './sse-client.js';

function post(server: DevtoolsServer, path: string, body: string, contentType = 'application/json'): Promise<{ status: number; json: Record<string, unknown> }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const outgoing = request(`${url.origin}${path}?token=${url.searchParams.get('token')}`, { method: 'POST', headers: { Origin: url.origin, 'Content-Type': contentType } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function get(server: DevtoolsServer, path: string): Promise<unknown> {
  const url = new URL(server.url);
  const response = await fetch(`${url.origin}${path}?token=${url.searchParams.get('token')}`);
  return response.json();
}

const makePayouts = () =>
  durable(
    new SequentialPrimitive<number, string>(
      [
        step('quote', async (amount: number) => ({ amount, apiKey: 'a-secret-key-1234567890' })),
        waitFor<{ amount: number }, { approved: boolean }>('approval'),
        step('payout', async (answer: { approved: boolean }) => (answer.approved ? 'paid' : 'refused')),
      ],
      { name: 'payout-flow' },
    ),
    { name: 'payouts', store: new MemoryRunStore() },
  );

describe('startDevtools with a durable workflow', () => {
  let server: DevtoolsServer | undefined;
  let stream: EventStreamReader | undefined;
  afterEach(async () => {
    stream?.close();
    await server?.close();
    server = undefined;
    stream = undefined;
  });

  it('lists suspended runs with their redacted payload and resumes one', async () => {
    const payouts = makePayouts();
    server = await startDevtools({ workflows: { payouts }, port: 0 });
    const outcome = await payouts.start(120, { runId: 'run-1' });
    expect(outcome.status).toBe('suspended');
    const suspended = (await get(server, '/api/suspended')) as { workflow: string; runId: string; waitingFor: string; payload: string }[];
    expect(suspended).toEqual([{ workflow: 'payouts', runId: 'run-1', waitingFor: 'approval', payload: expect.stringContaining('"amount":120') as string, updatedAt: expect.any(Number) as number }]);
    expect(suspended[0]!.payload).not.toContain('a-secret-key-1234567890');

    const resumed = await post(server, '/api/resume', JSON.stringify({ workflow: 'payouts', runId: 'run-1', value: { approved: true } }));
    expect(resumed).toEqual({ status: 200, json: { status: 'completed', runId: 'run-1' } });
    expect(await get(server, '/api/suspended')).toEqual([]);
    expect((await payouts.inspect('run-1'))?.status).toBe('completed');
  });

  it('answers a bad resume with a status and a message naming the problem', async () => {
    const payouts = makePayouts();
    server = await startDevtools({ workflows: { payouts, plain: step('plain', async () => 1) }, port: 0 });
    expect(await post(server, '/api/resume', '{not json')).toMatchObject({ status: 400, json: { error: 'the body is not valid JSON' } });
    expect(await post(server, '/api/resume', JSON.stringify({ runId: 'x' }))).toMatchObject({ status: 400 });
    expect(await post(server, '/api/resume', '{}', 'text/plain')).toMatchObject({ status: 415 });
    expect(await post(server, '/api/resume', JSON.stringify({ workflow: 'plain', runId: 'x', value: 1 }))).toMatchObject({ status: 404 });
    const missing = await post(server, '/api/resume', JSON.stringify({ workflow: 'payouts', runId: 'no-such-run', value: 1 }));
    expect(missing.status).toBe(409);
    expect(missing.json['error']).toMatch(/no-such-run/);
  });

  it('shows the steps a resumed run answered from its journal as skipped', async () => {
    const payouts = makePayouts();
    server = await startDevtools({ workflows: { payouts }, port: 0 });
    stream = await readEvents(new URL(server.url).origin + `/api/events?token=${new URL(server.url).searchParams.get('token')}`);
    await stream.waitFor((event) => event['t'] === 'hello');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(getInstrumentations().length).toBeGreaterThan(0);
    await payouts.start(5, { runId: 'run-2' });
    await payouts.resume('run-2', { value: { approved: false } });
    await stream.waitFor((event) => event['t'] === 'run-end' && stream!.events.filter((candidate) => candidate['t'] === 'run-end').length === 2);
    const steps = new Map<number | string, Record<string, unknown>>();
    const lastRun = stream.events.filter((event) => event['t'] === 'run-start').at(-1)!['run'];
    for (const event of stream.events) if (event['run'] === lastRun && event['t'] === 'step-start') steps.set(event['step'] as number, event);
    const ends = stream.events.filter((event) => event['run'] === lastRun && event['t'] === 'step-end');
    const statusOf = (name: string) => ends.find((end) => steps.get(end['step'] as number)?.['name'] === name)?.['status'];
    expect(statusOf('quote')).toBe('skipped');
    expect(statusOf('payout')).toBe('ok');
    expect(stream.events.find((event) => event['run'] === lastRun && event['t'] === 'run-start')?.['workflow']).toBe('payouts');
  });
});
