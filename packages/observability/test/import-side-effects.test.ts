import { describe, expect, it } from 'vitest';
import { trace, isSpanContextValid } from '@opentelemetry/api';
import { getInstrumentations } from '@tta/primitives/instrumentation';

const handles = (): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
};

describe('importing @tta/observability', () => {
  it('starts no SDK, server, timer or instrumentation', async () => {
    const before = handles();
    const instrumentationsBefore = getInstrumentations().length;
    const module = await import('../src/index.js');
    await new Promise((resolve) => setImmediate(resolve));
    expect(typeof module.initializeObservability).toBe('function');
    // The test runner's own timers may come and go; nothing may be added.
    for (const [kind, count] of handles()) expect({ kind, count }).toEqual({ kind, count: Math.min(count, before.get(kind) ?? 0) });
    expect(getInstrumentations()).toHaveLength(instrumentationsBefore);
    expect(isSpanContextValid(trace.getTracer('probe').startSpan('probe').spanContext())).toBe(false);
    expect(module.getObservabilityStatus().initialized).toBe(false);
  });
});
