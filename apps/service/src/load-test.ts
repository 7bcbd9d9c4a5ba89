// A bounded load test on loopback: the service with observability off and on (spans exported to a
// local OTLP sink), same load, same simulated model. Both servers run side by side and the runs
// alternate (off, on, on, off, ...) so that noise from the machine hits both; medians are printed.
//   node dist/load-test.js [--seconds 5] [--rounds 3] [--connections 32] [--rate 400]
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    questions: { type: 'string', default: '500' },
    rate: { type: 'string', default: '400' },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const questions = Number(values.questions);
const fixedRate = Number(values.rate);
const entry = fileURLToPath(new URL('./main.js', import.meta.url));

// OTLP sink: accepts and counts spans, as a collector would.
let spansReceived = 0;
const sink = createServer((request, response) => {
  let raw = '';
  request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
  request.on('end', () => {
    spansReceived += (raw.match(/"spanId"/g) ?? []).length;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{}');
  });
});
await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;

interface Server {
  readonly observability: boolean;
  readonly url: string;
  readonly child: ChildProcess;
}

async function startServer(observability: boolean): Promise<Server> {
  const child = spawn(process.execPath, [entry], {
    env: {
      ...process.env,
      PORT: '0',
      METRICS_PORT: '0',
      TTA_OBSERVABILITY: observability ? 'on' : 'off',
      OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
      TTA_SIM_LATENCY_MS: '5-15',
      TTA_SIM_FAILURE_RATE: '0.05',
      TTA_SIM_SLOW_RATE: '0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // The JSON request logs stay on (a line per request, read and dropped here): they are part of the cost.
  const url = await new Promise<string>((resolve, reject) => {
    let head = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (head.length > 4096) return;
      head += chunk.toString();
      const match = /"url":"(http:[^"]+)"/.exec(head);
      if (match !== null) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the service exited with ${code}`)));
  });
  return { observability, url, child };
}

interface Sample {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly average: number;
  readonly total: number;
  readonly errors: number;
  readonly non2xx: number;
}

async function measure(server: Server, duration: number, overallRate?: number): Promise<Sample> {
  const result = await autocannon({
    url: `${server.url}/v1/answer`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections,
    duration,
    ...(overallRate === undefined ? {} : { overallRate }),
    requests: [{ setupRequest: (request) => ({ ...request, body: JSON.stringify({ question: `What is trade-off number ${Math.floor(Math.random() * questions)}?` }) }) }],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    average: result.latency.average,
    total: result.requests.total,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

const median = (numbers: readonly number[]): number => {
  const sorted = [...numbers].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const loadBefore = loadavg()[0]!;
const servers = [await startServer(false), await startServer(true)] as const;
for (const server of servers) await measure(server, 2); // warm-up: JIT, connections, the cache fills

const samples = new Map<string, Sample[]>();
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? servers : ([servers[1], servers[0]] as const);
  for (const rate of [undefined, fixedRate]) {
    for (const server of order) {
      const key = `${server.observability ? 'on' : 'off'}|${rate ?? 'max'}`;
      samples.set(key, [...(samples.get(key) ?? []), await measure(server, seconds, rate)]);
    }
  }
}
for (const server of servers) server.child.kill('SIGTERM');
await Promise.all(servers.map((server) => new Promise((resolve) => (server.child.exitCode === null ? server.child.once('exit', resolve) : resolve(null)))));
sink.closeAllConnections();
sink.close();

const row = (key: string) => {
  const list = samples.get(key)!;
  const sum = (pick: (sample: Sample) => number) => list.reduce((total, sample) => total + pick(sample), 0);
  return {
    requestsPerSecond: median(list.map((sample) => sample.requestsPerSecond)),
    p50: median(list.map((sample) => sample.p50)),
    p99: median(list.map((sample) => sample.p99)),
    average: median(list.map((sample) => sample.average)),
    total: sum((sample) => sample.total),
    errors: sum((sample) => sample.errors),
    non2xx: sum((sample) => sample.non2xx),
  };
};

console.log(
  `\nLoad test on loopback: ${rounds} alternating rounds of ${seconds} s per case (medians), ${connections} connections, ${questions} distinct questions,` +
    ` simulated model 5-15 ms with 5% failures; load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after\n`,
);
console.log('| observability | load | requests/s | latency avg ms | p50 ms | p99 ms | requests | errors | non-2xx |');
console.log('|---|---|---|---|---|---|---|---|---|');
const rows: Record<string, ReturnType<typeof row>> = {};
for (const rate of ['max', String(fixedRate)]) {
  for (const mode of ['off', 'on']) {
    const key = `${mode}|${rate}`;
    const result = (rows[key] = row(key));
    const load = rate === 'max' ? `as fast as possible` : `fixed ${rate} requests/s`;
    console.log(
      `| ${mode === 'on' ? 'on (traces + metrics)' : 'off'} | ${load} | ${result.requestsPerSecond.toFixed(0)} | ${result.average.toFixed(2)} | ${result.p50} | ${result.p99} | ${result.total} | ${result.errors} | ${result.non2xx} |`,
    );
  }
}
const ratio = rows['on|max']!.requestsPerSecond / rows['off|max']!.requestsPerSecond;
console.log(`\nspans received by the OTLP sink: ${spansReceived} (all from the server with observability on)`);
console.log(`saturated throughput with observability on: ${(ratio * 100).toFixed(1)}% of off`);
console.log(`at ${fixedRate} requests/s offered: ${rows[`on|${fixedRate}`]!.requestsPerSecond.toFixed(0)} served with observability on, ${rows[`off|${fixedRate}`]!.requestsPerSecond.toFixed(0)} with it off`);
