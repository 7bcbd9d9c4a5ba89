/* global process, console */
// Cost of observability per primitive execution: the core with nothing registered, a bare
// OpenTelemetry span around the same function, and @tta/observability's tracing and metrics.
// Run with `pnpm --filter @tta/observability bench:cost` (builds first). Scenarios are interleaved
// round by round so that machine noise hits them alike; the medians are printed.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { WorkflowContext, registerInstrumentation, sequential, step } from '@tta/primitives';
import { createTracingInstrumentation } from '../dist/index.js';
import { PrometheusMetrics } from '../dist/prometheus-metrics.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const iterations = Number(process.env.BENCH_ITERATIONS ?? 50_000);

/** Runs every scenario `rounds` times, interleaved; returns the median ns per operation of each. */
async function compare(scenarios) {
  const samples = scenarios.map(() => []);
  for (let round = -1; round < rounds; round++) {
    for (const [index, scenario] of scenarios.entries()) {
      const registrations = (scenario.instrumentations ?? []).map((instrumentation) => registerInstrumentation(instrumentation));
      const started = process.hrtime.bigint();
      for (let count = 0; count < iterations; count++) await scenario.run(count);
      const elapsed = Number(process.hrtime.bigint() - started) / iterations / (scenario.perCall ?? 1);
      for (const registration of registrations) registration.dispose();
      if (round >= 0) samples[index].push(elapsed); // round -1 warms up
    }
  }
  return samples.map((values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]);
}

const fn = async (n) => n + 1;
const workflowContext = new WorkflowContext();
const work = step('work', fn);
const tenSteps = sequential(...Array.from({ length: 10 }, (_, index) => step(`s${index}`, fn)));

// What an application with tracing has: an AsyncLocalStorage context manager and a batch processor.
const exporter = { export: (_spans, done) => done({ code: 0 }), shutdown: () => Promise.resolve(), forceFlush: () => Promise.resolve() };
const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(provider);
const tracer = provider.getTracer('bench');
const tracing = createTracingInstrumentation(tracer);
const prometheus = new PrometheusMetrics();

const scenarios = [
  { name: 'raw async function', run: (n) => fn(n) },
  { name: 'step.execute, nothing registered (built-in metrics)', run: (n) => work.execute(workflowContext, n) },
  {
    name: 'bare OpenTelemetry span around the raw function',
    run: async (n) => {
      const span = tracer.startSpan('work');
      try {
        return await context.with(trace.setSpan(context.active(), span), fn, undefined, n);
      } finally {
        span.end();
      }
    },
  },
  { name: 'step.execute + Prometheus metrics', run: (n) => work.execute(workflowContext, n), instrumentations: [prometheus.instrumentation] },
  { name: 'step.execute + tracing', run: (n) => work.execute(workflowContext, n), instrumentations: [tracing] },
  { name: 'step.execute + tracing + Prometheus (as initialised)', run: (n) => work.execute(workflowContext, n), instrumentations: [tracing, prometheus.instrumentation] },
  { name: '10-step sequence + tracing + Prometheus, per primitive', run: (n) => tenSteps.execute(workflowContext, n), instrumentations: [tracing, prometheus.instrumentation], perCall: 11 },
];

const medians = await compare(scenarios);
for (const [index, scenario] of scenarios.entries()) console.log(`${scenario.name.padEnd(56)} ${medians[index].toFixed(0).padStart(7)} ns/op`);
const [raw, core, bare, withMetrics, withTracing, full] = medians;
console.log(`\nPrometheus metrics add ${(withMetrics - core).toFixed(0)} ns per primitive; tracing adds ${(withTracing - core).toFixed(0)} ns; both ${(full - core).toFixed(0)} ns.`);
console.log(`A bare span adds ${(bare - raw).toFixed(0)} ns to the raw function: full observability costs ${((full - core) / (bare - raw)).toFixed(2)}x a bare span.`);

await provider.shutdown();
trace.disable();
context.disable();
propagation.disable();
