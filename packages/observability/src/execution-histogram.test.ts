import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { ExecutionHistogram, ExecutionSeries, durationBucketsSeconds } from './execution-histogram.js';
import { sample } from './test-support/exposition.js';

describe('ExecutionSeries and ExecutionHistogram', () => {
  it('exposes bucket, count and executions past 2^32 exactly (no wrap after weeks of traffic)', async () => {
    const registry = new Registry();
    const series = new ExecutionSeries('chat', 'step', durationBucketsSeconds);
    new ExecutionHistogram('tta_primitive_duration_seconds', 'help', registry, () => [series]);
    // Seeded instead of recorded: 2^32 real recordings would take minutes.
    series.bucketCounts[0] = 2 ** 32 - 1;
    series.successes = 2 ** 32 - 1;
    series.record(true, 0.0005);
    series.record(true, 0.0005);
    series.record(false, 100);
    expect(series.bucketCounts[0]).toBe(2 ** 32 + 1);
    const text = await registry.metrics();
    expect(sample(text, 'tta_primitive_duration_seconds_bucket{le="0.001",primitive="chat",kind="step"}')).toBe(2 ** 32 + 1);
    expect(sample(text, 'tta_primitive_duration_seconds_bucket{le="80",primitive="chat",kind="step"}')).toBe(2 ** 32 + 1);
    expect(sample(text, 'tta_primitive_duration_seconds_bucket{le="+Inf",primitive="chat",kind="step"}')).toBe(2 ** 32 + 2);
    expect(sample(text, 'tta_primitive_duration_seconds_count{primitive="chat",kind="step"}')).toBe(2 ** 32 + 2);
  });

  it('puts a duration in the first bucket whose bound is not below it, and the rest above the last bound', () => {
    const series = new ExecutionSeries('p', 'k', durationBucketsSeconds);
    series.record(true, 0.001);
    series.record(true, 0.0011);
    series.record(true, 81);
    expect(series.bucketCounts[0]).toBe(1);
    expect(series.bucketCounts[1]).toBe(1);
    expect(series.bucketCounts[durationBucketsSeconds.length]).toBe(1);
  });
});
