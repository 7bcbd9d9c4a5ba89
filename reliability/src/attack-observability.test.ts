// Attack on the observability edges (issue #13, items 11, 15, 16): a busy metrics port must not
// take tracing down, an unreachable collector is reported once and cannot hold a shutdown, bucket
// counters survive 2^32 executions, and label values of any size cost bounded memory.
import { createServer as createTcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorkflowContext, metrics, step } from '@tta/primitives';
import { systemClock } from '@tta/primitives/instrumentation';
import { ManualClock } from '@tta/primitives/testing';
import { getMetricsRegistry, getObservabilityStatus, initializeObservability, shutdownObservability } from '@tta/observability';
import { record } from './figures.js';
import { settledHeapBytes } from './leak-probe.js';
import { startCaptureServer } from './support/capture-server.js';

/** A logger that keeps every line. */
function recordingLogger() {
  const lines: string[] = [];
  return { lines, logger: { warn: (_fields: Record<string, unknown>, message?: string) => void lines.push(message ?? '') } };
}

/** A port that was free a moment ago, and nothing listens on it. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A collector that accepts TCP connections and never answers. */
async function startBlackHole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A distinct flat string of `length` letters: a random 16-letter head, then filler (no digits or hex runs, so a cut of it reads like a name). */
function letters(length: number): string {
  const bytes = Buffer.alloc(length, 'g');
  for (let index = 0; index < 16; index++) bytes[index] = 103 + Math.floor(Math.random() * 20);
  return bytes.toString('latin1');
}

afterEach(async () => {
  await shutdownObservability();
});

describe('observability start with one part failing', () => {
  it('keeps exporting spans to a loopback receiver when the metrics port is busy, and the line names the metrics part', async () => {
    const receiver = await startCaptureServer();
    const blocker = createTcpServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busyPort = (blocker.address() as { port: number }).port;
    const { lines, logger } = recordingLogger();
    try {
      expect(await initializeObservability({ metricsPort: busyPort, otlpEndpoint: receiver.url, serviceName: 'busy-port', logger })).toBe(false);
      expect(getObservabilityStatus()).toMatchObject({ tracing: 'sdk', prometheus: false, lastFailure: { reason: 'metrics-port' } });
      await step('traced-despite-busy-port', () => 'ok').execute(new WorkflowContext(), null);
      await shutdownObservability();
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
      await receiver.close();
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Prometheus metrics are off \(metrics port \d+ on 127\.0\.0\.1 is already in use/);
    expect(lines[0]).toMatch(/tracing is on/);
    const exported = receiver.requests.filter((request) => request.url === '/v1/traces').map((request) => request.body).join('\n');
    expect(exported).toContain('traced-despite-busy-port');
    record('observabilityBusyPortSpansExported', receiver.requests.length);
  });
});

describe('unreachable collector', () => {
  it('logs exactly one line for many failed exports while the service runs', async () => {
    const port = await closedPort();
    const { lines, logger } = recordingLogger();
    expect(await initializeObservability({ enablePrometheus: false, otlpEndpoint: `http://127.0.0.1:${port}`, exportTimeoutMs: 200, logger })).toBe(true);
    const work = step('while-collector-down', (n: number) => n + 1);
    // 5,000 spans: about ten 512-span batches, each refused.
    for (let index = 0; index < 5_000; index++) await work.execute(new WorkflowContext(), index);
    await vi.waitFor(() => expect(getObservabilityStatus().failedExports).toBeGreaterThanOrEqual(5), { timeout: 20_000, interval: 50 });
    const failedExports = getObservabilityStatus().failedExports;
    await shutdownObservability();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`spans could not be exported to http://127\\.0\\.0\\.1:${port}/v1/traces: .*ECONNREFUSED.*later export failures are not logged`));
    record('observabilityFailedExportsLogged', `${lines.length} line for ${failedExports} failed exports`);
  }, 30_000);

  it.each<[string, () => Promise<{ url: string; close(): Promise<void> }>]>([
    ['accepts connections and never answers', startBlackHole],
    ['refuses connections', async () => ({ url: `http://127.0.0.1:${await closedPort()}`, close: () => Promise.resolve() })],
  ])('resolves shutdown within a 500 ms shutdownTimeoutMs when the collector %s', async (kind, startCollector) => {
    const collector = await startCollector();
    const { lines, logger } = recordingLogger();
    try {
      expect(await initializeObservability({ enablePrometheus: false, otlpEndpoint: collector.url, shutdownTimeoutMs: 500, logger })).toBe(true);
      for (let index = 0; index < 100; index++) await step('pending-span', () => index).execute(new WorkflowContext(), null);
      const started = performance.now();
      await shutdownObservability();
      const elapsedMs = performance.now() - started;
      expect(elapsedMs).toBeGreaterThanOrEqual(400);
      expect(elapsedMs).toBeLessThan(500 + 250);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/spans could not be flushed to http:\/\/127\.0\.0\.1:\d+\/v1\/traces/);
      record(`observabilityShutdownMs_${kind.startsWith('accepts') ? 'blackHole' : 'refused'}`, Math.round(elapsedMs));
    } finally {
      await collector.close();
    }
  });
});

describe('histogram counters past 2^32', () => {
  it('keeps core percentiles and the served Prometheus buckets exact after a bucket passes 2^32', async () => {
    const clock = new ManualClock(0);
    metrics.configure({ clock });
    try {
      expect(await initializeObservability({ enableTracing: false, metricsPort: 0 })).toBe(true);
      const work = step('hot-endpoint', (latencyMs: number) => clock.advance(latencyMs));
      await work.execute(new WorkflowContext(), 1);
      // Seed the 1 ms buckets at 2^32 - 1 (four billion real executions would take hours), then run more.
      const latency = metrics.recordFor('hot-endpoint', 'step').latency as unknown as { buckets: Float64Array; count: number };
      const coreIndex = latency.buckets.findIndex((count) => count === 1);
      latency.buckets[coreIndex] = 2 ** 32 - 1;
      metrics.recordFor('hot-endpoint', 'step').successes = 2 ** 32 - 1;
      latency.count = 2 ** 32 - 1;
      const histogram = getMetricsRegistry()!.getSingleMetric('tta_primitive_duration_seconds') as unknown as {
        source: () => Iterable<{ primitive: string; successes: number; bucketCounts: Float64Array }>;
      };
      const series = [...histogram.source()].find((candidate) => candidate.primitive === 'hot-endpoint')!;
      const promIndex = series.bucketCounts.findIndex((count) => count === 1);
      series.bucketCounts[promIndex] = 2 ** 32 - 1;
      series.successes = 2 ** 32 - 1;
      for (let index = 0; index < 2; index++) await work.execute(new WorkflowContext(), 1);
      await work.execute(new WorkflowContext(), 1_000);

      const entry = metrics.snapshot()['hot-endpoint']!;
      expect(entry.count).toBe(2 ** 32 + 2);
      expect(Math.abs(entry.p50Ms - 1)).toBeLessThan(0.03);
      expect(Math.abs(entry.p99Ms - 1)).toBeLessThan(0.03);
      const exposition = await (await fetch(getObservabilityStatus().metricsUrl!)).text();
      const line = (le: string) => exposition.split('\n').find((candidate) => candidate.startsWith(`tta_primitive_duration_seconds_bucket{le="${le}",primitive="hot-endpoint"`));
      expect(line('0.001')).toMatch(/ 4294967297$/);
      expect(line('+Inf')).toMatch(/ 4294967298$/);
      record('histogramBucketAfter2pow32', Number(line('0.001')!.split(' ').pop()));
    } finally {
      metrics.configure({ clock: systemClock });
    }
  });
});

describe('label values of any size', () => {
  it('keeps heap growth under 4 MB for 2,000 distinct 100 KB primitive names, and every served label value short', async () => {
    expect(await initializeObservability({ enableTracing: false, metricsPort: 0 })).toBe(true);
    // The core's records for names that fit the cap exist in any case: fill them first so that
    // the measurement sees only what the long names cost.
    for (let index = 0; index < metrics.maxNames; index++) metrics.recordFor(`warm-${index}`, 'step');
    const before = await settledHeapBytes();
    for (let index = 0; index < 2_000; index++) await step(letters(100_000), (n: number) => n).execute(new WorkflowContext(), index);
    const grownBytes = (await settledHeapBytes()) - before;
    const exposition = await (await fetch(getObservabilityStatus().metricsUrl!)).text();
    const longest = Math.max(...[...exposition.matchAll(/="((?:[^"\\]|\\.)*)"/g)].map((match) => match[1]!.length));
    record('heapGrowthAfter2000Distinct100KbNamesMb', Number((grownBytes / 1024 / 1024).toFixed(2)));
    record('longestPrometheusLabelValueChars', longest);
    expect(grownBytes).toBeLessThan(4 * 1024 * 1024);
    expect(longest).toBeLessThanOrEqual(64);
  });

  it('keeps heap growth under 4 MB when the core metrics have room for the 2,000 long names', async () => {
    metrics.configure({ maxNames: 1_000_000 });
    try {
      const before = await settledHeapBytes();
      for (let index = 0; index < 2_000; index++) await step(letters(100_000), (n: number) => n).execute(new WorkflowContext(), index);
      const grownBytes = (await settledHeapBytes()) - before;
      record('coreHeapGrowthAfter2000Distinct100KbNamesMb', Number((grownBytes / 1024 / 1024).toFixed(2)));
      expect(grownBytes).toBeLessThan(4 * 1024 * 1024);
    } finally {
      metrics.configure({ maxNames: 1_000 });
    }
  });
});
