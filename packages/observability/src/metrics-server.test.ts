import { describe, expect, it } from 'vitest';
import { TtaError } from '@tta/primitives';
import { startMetricsServer } from './metrics-server.js';
import { MetricsServerError } from './metrics-server-error.js';

const source = (body: string | Error) => ({
  contentType: 'text/plain; version=0.0.4; charset=utf-8',
  metrics: () => (body instanceof Error ? Promise.reject(body) : Promise.resolve(body)),
});

describe('startMetricsServer', () => {
  it('serves GET /metrics, refuses other methods and paths, and reports the bound port', async () => {
    const server = await startMetricsServer(source('x_total 1\n'), '127.0.0.1', 0);
    try {
      expect(server.port).toBeGreaterThan(0);
      const response = await fetch(server.url);
      expect(await response.text()).toBe('x_total 1\n');
      expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect((await fetch(`${server.url}?name[]=x`)).status).toBe(200);
      expect((await fetch(server.url, { method: 'POST', body: 'x' })).status).toBe(405);
      expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('answers 500 when collection fails, and keeps serving', async () => {
    const server = await startMetricsServer(source(new Error('collector broke')), '127.0.0.1', 0);
    try {
      const response = await fetch(server.url);
      expect(response.status).toBe(500);
      expect(await response.text()).toContain('collector broke');
    } finally {
      await server.close();
    }
  });

  it('answers 500 without the credentials a failing collector quotes, whatever it rejects with', async () => {
    const password = 'Sup3r-S3cret-Redis-Pw';
    const apiKey = 'sk-live-Scr4p3C4n4ry0123456789abcd';
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    for (const reason of [new Error(`redis://:${password}@cache:6379 refused (key ${apiKey})`), Object.create(null) as unknown, proxy]) {
      const server = await startMetricsServer({ contentType: 'text/plain', metrics: () => Promise.reject(reason) }, '127.0.0.1', 0);
      try {
        const response = await fetch(server.url);
        expect(response.status).toBe(500);
        const body = await response.text();
        expect(body).toContain('metrics collection failed');
        expect(body).not.toContain(password);
        expect(body).not.toContain(apiKey);
      } finally {
        await server.close();
      }
    }
  });

  it('rejects with a MetricsServerError naming host and port when the port is taken', async () => {
    const first = await startMetricsServer(source(''), '127.0.0.1', 0);
    try {
      const error = await startMetricsServer(source(''), '127.0.0.1', first.port).catch((caught: unknown) => caught);
      expect(MetricsServerError.isInstance(error)).toBe(true);
      expect(TtaError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ reason: 'EADDRINUSE', port: first.port, host: '127.0.0.1', code: 'METRICS_SERVER_UNAVAILABLE' });
      expect((error as Error).message).toBe(`metrics port ${first.port} on 127.0.0.1 is already in use`);
    } finally {
      await first.close();
    }
  });

  it('closes even while a client keeps its connection open', async () => {
    const server = await startMetricsServer(source('ok'), '127.0.0.1', 0);
    await fetch(server.url, { keepalive: true });
    await expect(server.close()).resolves.toBeUndefined();
  });
});
