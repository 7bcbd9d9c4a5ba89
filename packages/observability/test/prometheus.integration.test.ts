import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkflowContext, step } from '@tta/primitives';
import { emitPrimitiveEvent } from '@tta/primitives/instrumentation';
import { getObservabilityStatus, initializeObservability, recordLlmCall, shutdownObservability } from '../src/index.js';
import { findBinary, freePort, runWithInput } from '../src/test-support/services.js';

const prometheusBinary = findBinary('prometheus');
const promtoolBinary = findBinary('promtool');

interface QueryResult {
  readonly status: string;
  readonly data: { readonly result: ReadonlyArray<{ readonly metric: Record<string, string>; readonly value: [number, string] }> };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}${lastError === undefined ? '' : ` (last error: ${String(lastError)})`}`);
}

describe.skipIf(prometheusBinary === undefined || promtoolBinary === undefined)('Prometheus scraping /metrics', () => {
  let prometheus: ChildProcess | undefined;
  let workDir: string | undefined;
  let log = '';

  afterEach(async () => {
    if (prometheus !== undefined && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    prometheus = undefined;
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
    await shutdownObservability();
  });

  it('is scraped by a real Prometheus and answers a query on a tta_ metric; promtool accepts the output', async () => {
    expect(await initializeObservability({ enableTracing: false, metricsPort: 0 })).toBe(true);
    const target = getObservabilityStatus().metricsAddress!;
    const context = new WorkflowContext();
    const checkout = step('checkout', (n: number) => n * 2);
    for (let index = 0; index < 5; index++) await checkout.execute(context, index);
    emitPrimitiveEvent({ type: 'cache-hit', key: 'k', stale: false, ageMs: 0 }, { name: 'answers', kind: 'cache' }, undefined);
    recordLlmCall({ model: 'gpt-4o-mini', inputTokens: 100, outputTokens: 20, costUsd: 0.001 });

    const exposition = await (await fetch(getObservabilityStatus().metricsUrl!)).text();
    const check = await runWithInput(promtoolBinary!, ['check', 'metrics'], exposition);
    expect(check.output).toBe('');
    expect(check.code).toBe(0);

    workDir = await mkdtemp(join(tmpdir(), 'tta-prometheus-'));
    const port = await freePort();
    const config = join(workDir, 'prometheus.yml');
    await writeFile(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: tta',
        '    static_configs:',
        `      - targets: ['${target.host}:${target.port}']`,
        '',
      ].join('\n'),
    );
    prometheus = spawn(
      prometheusBinary!,
      [`--config.file=${config}`, `--storage.tsdb.path=${join(workDir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    prometheus.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const api = `http://127.0.0.1:${port}`;
    await waitFor('Prometheus to be ready', async () => ((await fetch(`${api}/-/ready`)).ok ? true : undefined));

    const query = async (promql: string): Promise<QueryResult['data']['result']> => {
      const response = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await response.json()) as QueryResult;
      expect(body.status).toBe('success');
      return body.data.result;
    };
    const executions = await waitFor('the first scrape', async () => {
      const result = await query('tta_primitive_executions_total{primitive="checkout",status="success"}');
      return result.length > 0 ? result : undefined;
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}\nprometheus log:\n${log}`);
    });
    expect(executions[0]!.metric).toMatchObject({ job: 'tta', primitive: 'checkout', kind: 'step', status: 'success' });
    expect(Number(executions[0]!.value[1])).toBe(5);
    expect(Number((await query('sum(tta_llm_tokens_total{type="input"})'))[0]!.value[1])).toBe(100);
    expect(Number((await query('tta_cache_requests_total{result="hit"}'))[0]!.value[1])).toBe(1);
    expect(Number((await query('up{job="tta"}'))[0]!.value[1])).toBe(1);
  }, 60_000);
});
