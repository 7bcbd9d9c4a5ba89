// Test helpers: build the service, run it as a child process on a free loopback port, and a fake
// OTLP/HTTP receiver that keeps the spans it is sent.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const serviceEntry = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** Builds the service and the packages it imports (turbo skips what is up to date). */
export function buildService(): void {
  execFileSync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter', '@tta-apps/service', '--output-logs=errors-only'], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly attributes: Record<string, unknown>;
}

/** A fake OTLP/HTTP (JSON) trace receiver on 127.0.0.1. */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      let raw = '';
      request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      request.on('end', () => {
        try {
          const body = JSON.parse(raw);
          for (const resource of body.resourceSpans ?? []) {
            for (const scope of resource.scopeSpans ?? []) {
              for (const span of scope.spans ?? []) {
                const attributes: Record<string, unknown> = {};
                for (const attribute of span.attributes ?? []) attributes[attribute.key] = Object.values(attribute.value ?? {})[0];
                this.spans.push({ traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId ?? '', name: span.name, attributes });
              }
            }
          }
        } catch {
          // Not JSON: ignored; the assertions will say what is missing.
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A service process and everything it printed. */
export class ServiceProcess {
  readonly lines: Array<Record<string, any>> = [];
  readonly stderr: string[] = [];
  baseUrl = '';
  metricsUrl = '';
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;

  constructor(private readonly env: Record<string, string>) {}

  async start(timeoutMs = 30_000): Promise<void> {
    const child = spawn(process.execPath, [serviceEntry], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', METRICS_PORT: '0', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stderr!.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          this.lines.push(JSON.parse(line));
        } catch {
          this.lines.push({ raw: line });
        }
        newline = buffered.indexOf('\n');
      }
    });
    const listening = await this.waitForLine((line) => line.msg === 'listening', timeoutMs);
    this.baseUrl = listening.url;
    this.metricsUrl = listening.metricsUrl ?? '';
  }

  /** Resolves with the first printed line that matches; rejects after `timeoutMs`. */
  async waitForLine(match: (line: Record<string, any>) => boolean, timeoutMs = 10_000): Promise<Record<string, any>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(match);
      if (found !== undefined) return found;
      if (this.child?.exitCode !== null) throw new Error(`the service exited (${this.child?.exitCode}): ${this.stderr.join('')}`);
      if (Date.now() > deadline) throw new Error(`no matching log line within ${timeoutMs} ms; got:\n${this.lines.map((line) => JSON.stringify(line)).join('\n')}\n${this.stderr.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /**
   * Closes the read end of the service's stdout, as a log collector that exits does: the service's
   * next log write fails with EPIPE. Lines printed afterwards are lost.
   */
  closeStdout(): void {
    this.child?.stdout?.destroy();
  }

  /** The exit code, or null while the process runs. */
  get exitCode(): number | null {
    return this.child?.exitCode ?? null;
  }

  /** Sends `signal` and resolves with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child === undefined) return null;
    if (this.child.exitCode === null) this.child.kill(signal);
    return this.exited!;
  }
}
