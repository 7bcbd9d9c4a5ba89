import { afterAll, describe, expect, it } from 'vitest';
import { metrics } from '@tta/primitives';
import { checkVariant, runScenario, type Scenario } from '../src/harness.js';
import { measureMemory, memoryVariants } from '../src/memory.js';
import { checkTargets, memoryTable, scenarioTable, targetTable } from '../src/report.js';
import { createCoreScenarios, createObservabilityScenario, startTracing } from '../src/scenarios/index.js';

const scenarios = await createCoreScenarios();

describe('benchmark scenarios', () => {
  afterAll(() => metrics.configure({ enabled: true }));

  for (const scenario of scenarios) {
    describe(scenario.title, () => {
      it('has a raw variant and one of ours', () => {
        expect(scenario.variants.filter((variant) => variant.role === 'raw')).toHaveLength(1);
        expect(scenario.variants.some((variant) => variant.role === 'tta')).toBe(true);
      });
      for (const variant of scenario.variants) {
        it(`${variant.label} produces the expected result`, async () => {
          await checkVariant(scenario, variant);
        });
      }
    });
  }

  it('rejects a variant whose result is wrong', async () => {
    const broken: Scenario = { id: 'broken', title: 'broken', steps: 1, expected: 1, variants: [{ label: 'wrong', role: 'raw', run: async () => 2 }] };
    await expect(checkVariant(broken, broken.variants[0]!)).rejects.toThrow(/expected 1, got 2/);
  });

  it('restores the metrics switch after a metrics-off variant', async () => {
    const sequential = scenarios.find((scenario) => scenario.id === 'sequential')!;
    const off = sequential.variants.find((variant) => variant.label.includes('metrics off'))!;
    await checkVariant(sequential, off);
    expect(metrics.enabled).toBe(true);
  });

  it('makes one span per primitive with tracing on, and as many by hand', async () => {
    const tracing = startTracing();
    try {
      const scenario = createObservabilityScenario(tracing);
      for (const variant of scenario.variants.filter((candidate) => candidate.role !== 'raw')) {
        variant.before?.();
        try {
          expect(await variant.run()).toBe(scenario.expected);
          const spans = await tracing.finishedSpans();
          expect(spans).toHaveLength(scenario.steps);
          expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
        } finally {
          await variant.after?.();
        }
        expect(await tracing.finishedSpans()).toHaveLength(0);
      }
    } finally {
      await tracing.shutdown();
    }
  });

  it('measures retained heap per pending workflow and checks every workflow finishes', { timeout: 60_000 }, async () => {
    const results = await measureMemory([200]);
    expect(results.map((result) => result.label)).toEqual(memoryVariants().map((variant) => variant.label));
    expect(results.every((result) => Number.isFinite(result.bytesPerWorkflow))).toBe(true);
    expect(memoryTable(results)).toContain('200 pending');
  });

  it('runs a scenario in smoke mode and reports it with the targets', async () => {
    const result = await runScenario(scenarios.find((scenario) => scenario.id === 'sequential')!, { rounds: 1, minTimeMs: 1, smoke: true });
    expect(result.results.every((variant) => variant.medianNs > 0)).toBe(true);
    expect(scenarioTable(result)).toContain('| raw await loop |');
    const targets = checkTargets([result], []);
    expect(targets.map((target) => target.target)).toEqual([
      'sequential overhead per step, no instrumentation (metrics off) ≤ 30 ns',
      'sequential overhead per step, built-in metrics on ≤ 100 ns',
      'Sequential chain of 10 trivial async steps: ours (metrics on) ≥ 5 % faster than effect 4 (flatMap chain, runPromise)',
      'Sequential chain of 10 trivial async steps: ours (metrics on) ≥ 5 % faster than @langchain/core RunnableSequence',
    ]);
    expect(targetTable(targets)).toContain('| target | measured | met |');
  });
});
