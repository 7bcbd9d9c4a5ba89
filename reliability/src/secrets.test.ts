// Secrets: real-shaped canaries (provider keys, tokens, JWTs, DSNs, PEM keys, field-only passwords)
// planted in context data, inputs, errors and HTTP headers never appear in logs, exported spans,
// Prometheus metrics, record/replay files, the toolkit's own error messages or instrumentation event
// payloads. Everything is scanned as text, as what really leaves the process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  WorkflowContext,
  cache,
  fallback,
  TtaError,
  parallel,
  retry,
  router,
  sequential,
  step,
  timeout,
  validate,
  type AnyPrimitive,
} from '@tta/primitives';
import { registerInstrumentation } from '@tta/primitives/instrumentation';
import { createJsonLogger, type Logger } from '@tta/primitives/logging';
import { contextFromHeaders, getObservabilityStatus, initializeObservability, shutdownObservability } from '@tta/observability';
import { startRecording } from '@tta/keploy-testing';
import { record } from './figures.js';
import { makeCanaries, scanDirectory, scanText, type Canaries, type Leak } from './support/canary.js';
import { startCaptureServer } from './support/capture-server.js';

const canaries = makeCanaries();
const leaksBySurface: Record<string, Leak[]> = {};
let surfacesScanned = 0;

function report(surface: string, leaks: Leak[]): void {
  leaksBySurface[surface] = leaks;
  surfacesScanned++;
}

afterAll(() => {
  const all = Object.values(leaksBySurface).flat();
  record('secretLeaks', all.length);
  record('secretSurfacesScanned', surfacesScanned);
  if (all.length > 0) console.log(`[reliability] secret leaks: ${JSON.stringify(all, null, 2)}`);
});

/**
 * An error as an upstream client throws it: the upstream's answer echoed in its message (a gateway
 * that echoes the request's credentials), a DSN and a `password=` pair, and credentials on its fields.
 */
class UpstreamAuthError extends Error {
  readonly authorization: string;
  readonly status = 401;
  constructor(canaries: Canaries) {
    const shaped = canaries.shaped.map((item) => item.value).join(' ');
    super(`upstream refused the request (echo: ${shaped}) via ${canaries.dsn.value} with password=${canaries.pairValue.value}`);
    this.name = 'UpstreamAuthError';
    this.authorization = `Bearer ${canaries.fieldOnly.value}`;
  }
}

/** Request headers carrying the canaries, as an HTTP service would receive them. */
const incomingHeaders = (): Record<string, string> => ({
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  authorization: `Bearer ${canaries.jwt.value}`,
  cookie: `session=${canaries.fieldOnly.value}`,
  'x-api-key': canaries.byShape('stripe-secret-key').value,
  'x-custom-auth': canaries.fieldOnly.value,
  'x-correlation-id': 'secrets-run',
});

/** Context data, as an application would attach its credentials for the steps. */
const contextData = (): Record<string, unknown> => ({
  tenant: 'acme',
  apiKey: canaries.fieldOnly.value,
  upstream: { authorization: `Bearer ${canaries.byShape('openai-project-key').value}`, clientSecret: canaries.fieldOnly.value },
  aws: { accessKeyId: canaries.byShape('aws-access-key-id').value, secretAccessKey: canaries.awsSecret.value },
  env: { AWS_SECRET_ACCESS_KEY: canaries.awsSecret.value, DATABASE_URL: canaries.dsn.value },
  tls: { privateKey: canaries.privateKey.value },
});

/** A workflow input with credentials in it, under sensitive names and inside free text. */
const workflowInput = (): Record<string, unknown> => ({
  prompt: `summarise the quarterly report; tokens seen in the wild: ${canaries.shaped.map((item) => item.value).join(', ')}`,
  notes: `connect with ${canaries.dsn.value} and password=${canaries.pairValue.value}`,
  password: canaries.fieldOnly.value,
  pwd: canaries.fieldOnly.value,
  auth: `admin:${canaries.pairValue.value}`,
  credentials: { token: canaries.byShape('github-pat').value },
});

/**
 * A workflow that logs what it sees the way application code does (whole objects, errors), retries
 * and falls back on errors that carry the canaries, caches by the input, and finally fails with one.
 */
function buildWorkflow(): { readonly succeeds: AnyPrimitive; readonly fails: AnyPrimitive } {
  let flaky = 0;
  const receive = step('receive', (input: Record<string, unknown>, context: WorkflowContext) => {
    context.logger.info({ input, data: context.data }, 'received');
    return input;
  });
  const callUpstream = step('call-upstream', (input: Record<string, unknown>, context: WorkflowContext) => {
    if (++flaky % 2 === 1) {
      const error = new UpstreamAuthError(canaries);
      context.logger.warn({ error, attempt: context.attempt }, 'upstream failed');
      throw error;
    }
    return { ...input, answer: 'ok' };
  });
  const alwaysFails = step('always-fails', (_input: Record<string, unknown>): Record<string, unknown> => {
    throw new UpstreamAuthError(canaries);
  });
  const backup = step('backup', (input: Record<string, unknown>) => ({ ...input, answer: 'from backup' }));
  const cached = cache(step('expensive', (input: Record<string, unknown>) => input), { key: (input) => JSON.stringify(input), ttlMs: 60_000 });
  const succeeds = sequential(
    receive,
    retry(callUpstream, { maxAttempts: 3, initialDelayMs: 0, jitter: 'none' }),
    fallback(alwaysFails, [backup]),
    parallel(cached, timeout(step('quick', (input: Record<string, unknown>) => input), { timeoutMs: 5_000 })),
  );
  const fails = sequential(receive, retry(alwaysFails, { maxAttempts: 2, initialDelayMs: 0, jitter: 'none' }));
  return { succeeds, fails };
}

/** Runs both workflows with a context built from the canary-bearing headers and data. */
async function runWorkflows(logger: Logger): Promise<void> {
  const { succeeds, fails } = buildWorkflow();
  for (let run = 0; run < 3; run++) {
    const context = contextFromHeaders(incomingHeaders(), { data: contextData(), logger });
    await succeeds.execute(context, workflowInput());
    const failure = await fails.execute(context, workflowInput()).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(UpstreamAuthError);
    context.logger.error({ error: failure, headers: incomingHeaders() }, 'workflow failed');
  }
}

describe('secrets never leak', () => {
  it('context logger lines (createJsonLogger sink) carry no canary from data, inputs, errors or headers', async () => {
    const lines: string[] = [];
    await runWorkflows(createJsonLogger({ level: 'debug', write: (line) => lines.push(line) }));
    const text = lines.join('\n');
    expect(lines.length).toBeGreaterThanOrEqual(12);
    expect(text).toContain('[REDACTED]');
    expect(text).toContain('secrets-run');
    // Control: what the workflow was given holds every canary, and the scanner finds each one.
    const planted = scanText('control', JSON.stringify({ input: workflowInput(), data: contextData(), headers: incomingHeaders(), error: new UpstreamAuthError(canaries).message }), canaries);
    expect(new Set(planted.map((leak) => leak.shape))).toEqual(new Set(canaries.all.map((item) => item.shape)));
    const leaks = scanText('logs', text, canaries);
    report('logs', leaks);
    expect(leaks).toEqual([]);
  });

  it('exported spans (OTLP/HTTP to a loopback collector) and /metrics output carry no canary', async () => {
    const collector = await startCaptureServer();
    try {
      const started = await initializeObservability({ serviceName: 'secrets-probe', otlpEndpoint: collector.url, metricsPort: 0, exportTimeoutMs: 5_000 });
      expect(started).toBe(true);
      const status = getObservabilityStatus();
      expect(status.tracing).toBe('sdk');
      await runWorkflows(createJsonLogger({ write: () => {} }));
      const metrics = await (await fetch(status.metricsUrl!)).text();
      await shutdownObservability();

      const spans = collector.requests.filter((request) => request.url.endsWith('/v1/traces'));
      expect(spans.length).toBeGreaterThan(0);
      const spanText = spans.map((request) => request.body).join('\n');
      // The export really holds the runs' spans, with their error details.
      for (const name of ['call-upstream', 'always-fails', 'secrets-probe', 'UpstreamAuthError']) expect(spanText).toContain(name);
      expect(metrics).toContain('tta_primitive_executions_total');
      expect(metrics).toContain('call-upstream');

      const spanLeaks = scanText('spans', spanText, canaries);
      const metricLeaks = scanText('metrics', metrics, canaries);
      report('spans', spanLeaks);
      report('metrics', metricLeaks);
      expect(spanLeaks).toEqual([]);
      expect(metricLeaks).toEqual([]);
    } finally {
      await shutdownObservability();
      await collector.close();
    }
  });

  it('record/replay files of calls with real-shaped secrets in headers, query, bodies of every type and responses carry no canary', async () => {
    const upstream = await startCaptureServer((request, response) => {
      response
        .writeHead(200, { 'content-type': 'application/json', 'set-cookie': `session=${canaries.fieldOnly.value}; HttpOnly` })
        .end(JSON.stringify({ accessToken: canaries.byShape('google-oauth-token').value, refresh_token: canaries.fieldOnly.value, idToken: canaries.jwt.value, echoedBytes: request.body.length }));
    });
    const dir = mkdtempSync(join(tmpdir(), 'tta-secrets-'));
    try {
      const session = await startRecording({ dir, testSet: 'secrets', mode: 'record', env: {} });
      const form = new FormData();
      form.set('username', 'ada');
      form.set('password', canaries.fieldOnly.value);
      const calls: Array<[string, RequestInit]> = [
        [
          `/v1/chat?api_key=${canaries.fieldOnly.value}&key=${canaries.byShape('google-api-key').value}&code=${canaries.pairValue.value}&model=small`,
          {
            method: 'POST',
            headers: { authorization: `Bearer ${canaries.byShape('openai-project-key').value}`, 'x-api-key': canaries.fieldOnly.value, 'x-custom-auth': canaries.fieldOnly.value, 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'small', apiKey: canaries.fieldOnly.value, pwd: canaries.pairValue.value, dsn: canaries.dsn.value, client_secret: canaries.byShape('stripe-secret-key').value, assertion: canaries.jwt.value, messages: [{ role: 'user', content: `my npm token is ${canaries.byShape('npm-token').value}` }] }),
          },
        ],
        ['/login', { method: 'POST', body: form }],
        ['/login-text', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: `user=ada&password=${canaries.pairValue.value}` }],
        ['/login-form', { method: 'POST', body: new URLSearchParams({ user: 'ada', password: canaries.fieldOnly.value, token: canaries.byShape('slack-bot-token').value }) }],
      ];
      for (const [path, init] of calls) {
        const response = await fetch(`${upstream.url}${path}`, init);
        expect(response.status).toBe(200);
        await response.text();
      }
      await session.stop();

      // The calls did reach the upstream with the real credentials: only what is written is scrubbed.
      expect(upstream.requests).toHaveLength(calls.length);
      expect(scanText('control', JSON.stringify(upstream.requests), canaries).length).toBeGreaterThanOrEqual(10);
      const { files, leaks } = scanDirectory(dir, canaries);
      expect(files.length).toBeGreaterThan(0);
      expect(files.join('\n')).toContain('secrets');
      report('recordings', leaks);
      expect(leaks).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await upstream.close();
    }
  });

  it('messages of the errors the toolkit makes from user data carry no shaped canary', async () => {
    const context = WorkflowContext.create();
    const failures: unknown[] = [];
    const capture = (promise: Promise<unknown>) => promise.then(() => failures.push(new Error('expected a failure')), (error: unknown) => failures.push(error));
    const shapedText = canaries.shaped.map((item) => item.value).join(' ');
    // A route name and schema issues that echo the input, as real selectors and schemas do.
    await capture(router({ routes: { a: step('a', (input: string) => input) }, selector: (input: string) => input }).execute(context, shapedText));
    const echoingSchema = {
      '~standard': {
        version: 1 as const,
        vendor: 'probe',
        validate: (value: unknown) => ({ issues: [{ message: `expected an email, got ${String(value)}`, path: ['user'] }] }),
      },
    };
    await capture(validate(echoingSchema).execute(context, shapedText));
    await capture(fallback(step('primary', () => { throw new UpstreamAuthError(canaries); }), [step('backup', () => { throw new UpstreamAuthError(canaries); })]).execute(context, 'x'));
    await capture(retry(step('flaky', () => { throw new UpstreamAuthError(canaries); }), { maxAttempts: 2, initialDelayMs: 0, jitter: 'none' }).execute(context, 'x'));
    expect(failures).toHaveLength(4);
    const toolkitErrors = failures.filter((error) => TtaError.isInstance(error));
    expect(toolkitErrors.length).toBeGreaterThanOrEqual(3);
    const text = toolkitErrors.map((error) => `${String(error)}\n${(error as Error).message}`).join('\n');
    const leaks = scanText('error messages', text, canaries).filter((leak) => canaries.shaped.some((item) => item.shape === leak.shape));
    report('error messages', leaks);
    expect(leaks).toEqual([]);
  });

  it('instrumentation event payloads (what the toolkit writes in them) carry no canary', async () => {
    const seen: string[] = [];
    const textOf = (record: object) => Object.entries(record).filter(([, value]) => typeof value === 'string').map(([key, value]) => `${key}=${String(value)}`).join(' ');
    const registration = registerInstrumentation({
      onEvent: (event) => seen.push(`event ${textOf(event)}`),
      onEnd: (execution, result) => seen.push(`end ${execution.name} ${result.status}`),
    });
    try {
      const lines: string[] = [];
      await runWorkflows(createJsonLogger({ write: (line) => lines.push(line) }));
      // Cache keys from inputs that hold credentials are in cache events: keyed by default (no key function).
      const cached = cache(step('lookup', (input: Record<string, unknown>) => Object.keys(input).length), { ttlMs: 60_000 });
      await cached.execute(WorkflowContext.create(), workflowInput());
      await cached.execute(WorkflowContext.create(), workflowInput());
    } finally {
      registration.dispose();
    }
    expect(seen.some((line) => line.includes('type=retry'))).toBe(true);
    expect(seen.some((line) => line.includes('type=cache-hit'))).toBe(true);
    const leaks = scanText('instrumentation events', seen.join('\n'), canaries);
    report('instrumentation events', leaks);
    expect(leaks).toEqual([]);
  });
});

describe('log message text', () => {
  // Found by this suite: the message text used to be written as is. It stays fixed.
  it('a key-shaped secret interpolated into the log message is redacted like the same text in a field', () => {
    const lines: string[] = [];
    const context = WorkflowContext.create({ logger: createJsonLogger({ write: (line) => lines.push(line) }) });
    context.logger.error({}, `upstream failed: ${new UpstreamAuthError(canaries).message}`);
    expect(lines).toHaveLength(1);
    expect(scanText('log message', lines.join('\n'), canaries)).toEqual([]);
  });
});
