import { request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidOptionsError, cache, step, retry, WorkflowContext } from '@tta/primitives';
import { getInstrumentations } from '@tta/primitives/instrumentation';
import { DevtoolsServerError, startDevtools, type DevtoolsServer } from '@tta/devtools';
import { readEvents, type EventStreamReader } from './sse-client.js';

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

const at = (server: DevtoolsServer, path: string, withToken = true): string => {
  const url = new URL(server.url);
  return `${url.origin}${path}${withToken ? `?token=${url.searchParams.get('token')}` : ''}`;
};

const until = async (condition: () => boolean, timeoutMs = 5000): Promise<void> => {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const checkout = step('reserve', async (order: string) => `${order}:reserved`).pipe(step('charge', async (order: string) => `${order}:charged`));

describe('startDevtools: the server', () => {
  let server: DevtoolsServer | undefined;
  let stream: EventStreamReader | undefined;
  afterEach(async () => {
    stream?.close();
    stream = undefined;
    await server?.close();
    server = undefined;
  });

  it('answers 401 to a request without the token or with a wrong one, and serves the page with it', async () => {
    server = await startDevtools({ workflows: { checkout }, port: 0 });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/);
    expect((await send(at(server, '/', false))).status).toBe(401);
    expect((await send(at(server, '/api/workflows', false))).status).toBe(401);
    expect((await send(at(server, '/api/events', false))).status).toBe(401);
    expect((await send(`${at(server, '/', false)}?token=${'0'.repeat(32)}`)).status).toBe(401);
    const page = await send(server.url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script src="/assets/devtools.js?token=');
  });

  it('sends a strict content security policy, nosniff and no CORS header', async () => {
    server = await startDevtools({ workflows: { checkout }, port: 0 });
    const page = await send(server.url, { headers: { Origin: 'http://evil.example' } });
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a POST from another origin, or with no origin, with 403 even with the token', async () => {
    server = await startDevtools({ workflows: { checkout }, port: 0 });
    const body = JSON.stringify({ workflow: 'checkout', runId: 'r1', value: 1 });
    const json = { 'Content-Type': 'application/json' };
    expect((await send(at(server, '/api/resume'), { method: 'POST', headers: { ...json, Origin: 'http://evil.example' }, body })).status).toBe(403);
    expect((await send(at(server, '/api/resume'), { method: 'POST', headers: json, body })).status).toBe(403);
    const origin = new URL(server.url).origin;
    expect((await send(at(server, '/api/resume'), { method: 'POST', headers: { ...json, Origin: origin, 'Sec-Fetch-Site': 'cross-site' }, body })).status).toBe(403);
    // Same origin passes the check; `checkout` is not durable, so the resume itself is a 404.
    expect((await send(at(server, '/api/resume'), { method: 'POST', headers: { ...json, Origin: origin }, body })).status).toBe(404);
  });

  it('refuses a request whose Host header names another host (DNS rebinding)', async () => {
    server = await startDevtools({ workflows: { checkout }, port: 0 });
    expect((await send(server.url, { headers: { Host: `rebind.example:${server.port}` } })).status).toBe(421);
  });

  it('lists the workflows with their graphs', async () => {
    server = await startDevtools({ workflows: { checkout }, port: 0 });
    const workflows = JSON.parse((await send(at(server, '/api/workflows'))).body) as { name: string; graph: { kind: string; children: { name: string }[] } }[];
    expect(workflows).toHaveLength(1);
    expect(workflows[0]!.name).toBe('checkout');
    expect(workflows[0]!.graph.kind).toBe('sequential');
    expect(workflows[0]!.graph.children.map((child) => child.name)).toEqual(['reserve', 'charge']);
  });

  it('registers its instrumentation only while a browser is connected', async () => {
    const before = getInstrumentations().length;
    server = await startDevtools({ workflows: { checkout }, port: 0 });
    expect(getInstrumentations().length).toBe(before);
    stream = await readEvents(at(server, '/api/events'));
    await until(() => getInstrumentations().length === before + 1);
    stream.close();
    stream = undefined;
    await until(() => getInstrumentations().length === before);
  });

  it('streams a run: its start, each step running then ok, and its end', async () => {
    server = await startDevtools({ workflows: { checkout }, port: 0 });
    stream = await readEvents(at(server, '/api/events'));
    await stream.waitFor((event) => event['t'] === 'hello');
    await until(() => getInstrumentations().length > 0);
    await checkout.run('order-1');
    const end = await stream.waitFor((event) => event['t'] === 'run-end');
    expect(end).toMatchObject({ status: 'ok' });
    const types = stream.events.map((event) => `${event['t']}${event['name'] === undefined ? '' : `:${String(event['name'])}`}`);
    expect(types).toEqual(['hello', 'run-start', 'step-start:sequential', 'step-start:reserve', 'step-end', 'step-start:charge', 'step-end', 'step-end', 'run-end']);
    expect(stream.events.find((event) => event['t'] === 'run-start')).toMatchObject({ workflow: 'checkout', input: '"order-1"' });
  });

  it('sends a failure with its cause chain, and redacts secrets in inputs and messages', async () => {
    const failing = step('call-model', async (_request: { apiKey: string; prompt: string }) => {
      throw new Error('upstream refused', { cause: new Error('401 for key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD') });
    });
    server = await startDevtools({ workflows: { failing }, port: 0 });
    stream = await readEvents(at(server, '/api/events'));
    await until(() => getInstrumentations().length > 0);
    await expect(failing.run({ apiKey: 'super-secret-value', prompt: 'hi' })).rejects.toThrow('upstream refused');
    const end = await stream.waitFor((event) => event['t'] === 'run-end');
    expect(end['status']).toBe('failed');
    const chain = end['error'] as { name: string; message: string }[];
    expect(chain.map((link) => link.message)).toEqual(['upstream refused', expect.stringContaining('401 for key')]);
    const text = JSON.stringify(stream.events);
    expect(text).not.toContain('super-secret-value');
    expect(text).not.toContain('sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD');
    expect(text).toContain('[REDACTED]');
  });

  it('counts retries and keeps step names as data (JSON text, not markup)', async () => {
    let calls = 0;
    const hostile = step('<img src=x onerror=alert(1)>', async () => {
      if (++calls < 2) throw new Error('flaky');
      return 'ok';
    });
    const workflow = retry(hostile, { maxAttempts: 3, initialDelayMs: 1 });
    server = await startDevtools({ workflows: { hostile: workflow }, port: 0 });
    stream = await readEvents(at(server, '/api/events'));
    await until(() => getInstrumentations().length > 0);
    await workflow.run(undefined);
    await stream.waitFor((event) => event['t'] === 'run-end');
    expect(stream.events.filter((event) => event['t'] === 'step-event' && event['type'] === 'retry')).toHaveLength(1);
    expect(stream.events.filter((event) => event['t'] === 'step-start' && event['name'] === '<img src=x onerror=alert(1)>')).toHaveLength(2);
  });

  it('sends cache hits and fallbacks as step events of their run', async () => {
    const cached = cache(step('lookup', async (key: string) => key.toUpperCase()), { name: 'lookup-cache' });
    server = await startDevtools({ workflows: { cached }, port: 0 });
    stream = await readEvents(at(server, '/api/events'));
    await until(() => getInstrumentations().length > 0);
    await cached.run('a');
    await cached.run('a');
    await until(() => stream!.events.filter((event) => event['t'] === 'run-end').length === 2);
    const secondRun = stream.events.filter((event) => event['t'] === 'run-start')[1]!['run'];
    expect(stream.events.filter((event) => event['t'] === 'step-event' && event['type'] === 'cache-hit').map((event) => [event['run'], event['name']])).toEqual([[secondRun, 'lookup-cache']]);
  });

  it('replays only the most recent runs to a browser that connects late', async () => {
    server = await startDevtools({ workflows: { checkout }, port: 0, historySize: 3 });
    stream = await readEvents(at(server, '/api/events'));
    await until(() => getInstrumentations().length > 0);
    for (let index = 0; index < 5; index++) await checkout.run(`order-${index}`);
    await until(() => stream!.events.filter((event) => event['t'] === 'run-end').length === 5);
    const late = await readEvents(at(server, '/api/events'));
    try {
      await late.waitFor((event) => event['t'] === 'run-end' && late.events.filter((candidate) => candidate['t'] === 'run-end').length === 3);
      expect(late.events.filter((event) => event['t'] === 'run-start').map((event) => event['input'])).toEqual(['"order-2"', '"order-3"', '"order-4"']);
    } finally {
      late.close();
    }
  });

  it('drops and counts events for a browser that stops reading, without slowing the workflows', async () => {
    server = await startDevtools({ workflows: { checkout }, port: 0, clientBufferSize: 5, maxRunsPerSecond: 100_000 });
    const url = new URL(at(server, '/api/events'));
    // A raw socket that never reads: the server's writes fill it and then the client's queue.
    const socket = connect(Number(url.port), url.hostname);
    socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
    socket.pause();
    try {
      await until(() => getInstrumentations().length > 0);
      const big = 'x'.repeat(3000);
      const started = Date.now();
      for (let index = 0; index < 2000; index++) {
        await checkout.run(big);
        if (index % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      const elapsedMs = Date.now() - started;
      await until(() => server!.droppedEvents > 0);
      expect(elapsedMs).toBeLessThan(10_000);
    } finally {
      socket.destroy();
    }
  });

  it('records at most maxRunsPerSecond runs a second in detail and counts the others', async () => {
    server = await startDevtools({ workflows: { checkout }, port: 0, maxRunsPerSecond: 3 });
    stream = await readEvents(at(server, '/api/events'));
    await until(() => getInstrumentations().length > 0);
    // Inside one second (the window starts with the first run): three shown, seven counted.
    for (let index = 0; index < 10; index++) await checkout.run(`order-${index}`);
    await until(() => stream!.events.filter((event) => event['t'] === 'run-end').length === 3);
    expect(server.runsNotShown).toBeGreaterThanOrEqual(7 - 3);
    expect(server.runsNotShown + stream.events.filter((event) => event['t'] === 'run-start').length).toBe(10);
  });

  it('serves at most maxBrowsers event streams at once and answers one more with 503', async () => {
    server = await startDevtools({ workflows: { checkout }, port: 0, maxBrowsers: 2 });
    const first = await readEvents(at(server, '/api/events'));
    const second = await readEvents(at(server, '/api/events'));
    try {
      await until(() => server!.connectedBrowsers === 2);
      const refused = await send(at(server, '/api/events'));
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.body).toContain('maxBrowsers');
      first.close();
      await until(() => server!.connectedBrowsers === 1);
      stream = await readEvents(at(server, '/api/events'));
      await stream.waitFor((event) => event['t'] === 'hello');
    } finally {
      first.close();
      second.close();
    }
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity, 2 ** 31, '8']) {
      await expect(startDevtools({ workflows: { checkout }, maxBrowsers: bad as number })).rejects.toThrow(InvalidOptionsError);
    }
  });

  it('lets a run over the quota run as if nothing were registered (no step paths, no callbacks)', async () => {
    const keys: (string | undefined)[] = [];
    const keyed = step('reserve', async (order: string, context) => {
      keys.push(context.idempotencyKey);
      return order;
    }).pipe(step('charge', async (order: string) => order));
    server = await startDevtools({ workflows: { keyed }, port: 0, maxRunsPerSecond: 2 });
    stream = await readEvents(at(server, '/api/events'));
    await until(() => getInstrumentations().length > 0);
    // Within one second: two runs recorded (their steps have paths), the rest left to the fast path.
    for (let index = 0; index < 6; index++) await keyed.execute(new WorkflowContext({ runId: `order-${index}` }), `order-${index}`);
    // (A new second would admit two more: on a very slow machine the six runs could span two.)
    expect(keys.slice(0, 3)).toEqual(['order-0:sequential/reserve', 'order-1:sequential/reserve', undefined]);
    const recorded = keys.filter((key) => key !== undefined);
    expect(recorded).toEqual(keys.flatMap((key, index) => (key === undefined ? [] : [`order-${index}:sequential/reserve`])));
    await until(() => stream!.events.filter((event) => event['t'] === 'run-end').length === recorded.length);
    expect(stream.events.filter((event) => event['t'] === 'run-start')).toHaveLength(recorded.length);
    expect(server.runsNotShown).toBe(6 - recorded.length);
  });

  it('tells apart two workflows whose roots share a name by their steps', async () => {
    const first = step('a', async (x: string) => x).pipe(step('b', async (x: string) => x));
    const second = step('c', async (x: string) => x).pipe(step('d', async (x: string) => x));
    server = await startDevtools({ workflows: { first, second }, port: 0 });
    stream = await readEvents(at(server, '/api/events'));
    await until(() => getInstrumentations().length > 0);
    await second.run('x');
    await first.run('y');
    await until(() => stream!.events.filter((event) => event['t'] === 'run-end').length === 2);
    expect(stream.events.filter((event) => event['t'] === 'run-start').map((event) => event['workflow'])).toEqual(['second', 'first']);
  });

  it("reports each step's tokens and cost, and the run's totals, from the context's usage", async () => {
    const ask = step('ask-model', async (question: string, context) => {
      context.reportUsage({ model: 'm', inputTokens: 100, outputTokens: 20, costUsd: 0.002 });
      return question;
    });
    const answer = step('answer', async (text: string) => text);
    const workflow = ask.pipe(answer);
    server = await startDevtools({ workflows: { workflow }, port: 0 });
    stream = await readEvents(at(server, '/api/events'));
    await until(() => getInstrumentations().length > 0);
    await workflow.run('why?');
    const end = await stream.waitFor((event) => event['t'] === 'run-end');
    expect(end).toMatchObject({ tokens: 120, costUsd: 0.002 });
    const askStep = stream.events.find((event) => event['t'] === 'step-start' && event['name'] === 'ask-model')!;
    const answerStep = stream.events.find((event) => event['t'] === 'step-start' && event['name'] === 'answer')!;
    expect(stream.events.find((event) => event['t'] === 'step-end' && event['step'] === askStep['step'])).toMatchObject({ tokens: 120, costUsd: 0.002 });
    expect(stream.events.find((event) => event['t'] === 'step-end' && event['step'] === answerStep['step'])).toMatchObject({ tokens: 0, costUsd: 0 });
  });

  it('listens on every interface only when asked, still behind the token', async () => {
    server = await startDevtools({ workflows: { checkout }, port: 0, host: '0.0.0.0' });
    expect(server.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/\?token=/);
    const local = `http://127.0.0.1:${server.port}`;
    expect((await send(`${local}/`)).status).toBe(401);
    expect((await send(`${local}/?token=${new URL(server.url).searchParams.get('token')}`, { headers: { Host: `my-machine.lan:${server.port}` } })).status).toBe(200);
  });

  it('refuses bad options with InvalidOptionsError and a taken port with DevtoolsServerError', async () => {
    await expect(startDevtools({ workflows: { checkout }, port: -1 })).rejects.toThrow(InvalidOptionsError);
    await expect(startDevtools({ workflows: { checkout }, token: 'short' })).rejects.toThrow(/token/);
    await expect(startDevtools({ workflows: { nope: {} as never } })).rejects.toThrow(/workflows\.nope/);
    await expect(startDevtools({ workflows: { checkout }, prot: 1 } as never)).rejects.toThrow(/prot/);
    await expect(startDevtools({ workflows: { checkout }, maxRunsPerSecond: 0 })).rejects.toThrow(/maxRunsPerSecond/);
    await expect(startDevtools({ workflows: { checkout }, historySize: 1.5 })).rejects.toThrow(/historySize/);
    server = await startDevtools({ workflows: { checkout }, port: 0 });
    const taken = startDevtools({ workflows: { checkout }, port: server.port });
    await expect(taken).rejects.toSatisfy((error: unknown) => DevtoolsServerError.isInstance(error) && (error as DevtoolsServerError).reason === 'EADDRINUSE');
  });

  it('accepts a token of its own and a context the caller made', async () => {
    server = await startDevtools({ workflows: { checkout }, port: 0, token: 'a-token-of-my-own-1234' });
    expect(server.url).toContain('token=a-token-of-my-own-1234');
    stream = await readEvents(at(server, '/api/events'));
    await until(() => getInstrumentations().length > 0);
    await checkout.execute(WorkflowContext.create({ correlationId: 'mine' }), 'o');
    expect((await stream.waitFor((event) => event['t'] === 'run-start'))['run']).toMatch(/^mine#/);
  });
});
