// Secrets: canaries planted in context data, inputs, errors and HTTP headers never appear in logs,
// exported spans, Prometheus metrics or record/replay files. Everything is scanned as text.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  WorkflowContext,
  cache,
  createJsonLogger,
  fallback,
  parallel,
  retry,
  sequential,
  step,
  timeout,
  type AnyPrimitive,
  type Logger,
} from '@tta/primitives';
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

/** An error as an upstream client would throw it: the key in its message and a credential on it. */
class UpstreamAuthError extends Error {
  readonly authorization: string;
  readonly status = 401;
  constructor({ keyShaped, fieldOnly }: Canaries) {
    super(`upstream refused the request made with key ${keyShaped}`);
    this.name = 'UpstreamAuthError';
    this.authorization = `Bearer ${fieldOnly}`;
  }
}

/** Request headers carrying the canaries, as an HTTP service would receive them. */
const incomingHeaders = (): Record<string, string> => ({
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  authorization: `Bearer ${canaries.keyShaped}`,
  cookie: `session=${canaries.fieldOnly}`,
  'x-api-key': canaries.fieldOnly,
  'x-correlation-id': 'secrets-run',
});

/** Context data, as an application would attach its credentials for the steps. */
const contextData = (): Record<string, unknown> => ({
  tenant: 'acme',
  apiKey: canaries.fieldOnly,
  upstream: { authorization: `Bearer ${canaries.keyShaped}`, clientSecret: canaries.fieldOnly },
});

/** A workflow input with credentials in it. */
const workflowInput = (): Record<string, unknown> => ({
  prompt: 'summarise the quarterly report',
  password: canaries.fieldOnly,
  credentials: { token: canaries.keyShaped },
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
    // Control: the scanner does find the canaries in what the workflow was given.
    expect(scanText('control', JSON.stringify({ input: workflowInput(), data: contextData(), headers: incomingHeaders() }), canaries).length).toBeGreaterThanOrEqual(6);
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

  it('record/replay files of a call with the canary in headers, query, JSON body and response carry no canary', async () => {
    const upstream = await startCaptureServer((request, response) => {
      response
        .writeHead(200, { 'content-type': 'application/json', 'set-cookie': `session=${canaries.fieldOnly}; HttpOnly` })
        .end(JSON.stringify({ accessToken: canaries.keyShaped, refresh_token: canaries.fieldOnly, echoedBytes: request.body.length }));
    });
    const dir = mkdtempSync(join(tmpdir(), 'tta-secrets-'));
    try {
      const session = await startRecording({ dir, testSet: 'secrets', mode: 'record', env: {} });
      const response = await fetch(`${upstream.url}/v1/chat?api_key=${canaries.fieldOnly}&model=small`, {
        method: 'POST',
        headers: { authorization: `Bearer ${canaries.keyShaped}`, 'x-api-key': canaries.fieldOnly, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'small', apiKey: canaries.fieldOnly, client_secret: canaries.keyShaped, messages: [{ role: 'user', content: 'hello' }] }),
      });
      expect(response.status).toBe(200);
      await response.text();
      await session.stop();

      // The call did reach the upstream with the real credentials: only what is written is scrubbed.
      expect(upstream.requests[0]!.headers.authorization).toBe(`Bearer ${canaries.keyShaped}`);
      expect(scanText('control', JSON.stringify(upstream.requests[0]), canaries).length).toBeGreaterThanOrEqual(4);
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
});

describe('log message text', () => {
  // Found by this suite: the message text used to be written as is. It stays fixed.
  it('a key-shaped secret interpolated into the log message is redacted like the same text in a field', () => {
    const lines: string[] = [];
    const context = WorkflowContext.create({ logger: createJsonLogger({ write: (line) => lines.push(line) }) });
    context.logger.error({}, `upstream failed: ${new UpstreamAuthError(canaries).message}`);
    expect(scanText('log message', lines.join('\n'), canaries)).toEqual([]);
  });
});
