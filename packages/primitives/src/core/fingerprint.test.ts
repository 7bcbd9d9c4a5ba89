import { describe, expect, it } from 'vitest';
import * as primitives from '@tta/primitives';
import { fingerprint, parallel, retry, sequential, step, timeout, WorkflowPrimitive, type WorkflowContext } from '@tta/primitives';
import type { PrimitiveOptionsSummary } from '@tta/primitives/instrumentation';
import { canonicalJson } from './fingerprint.js';
import { exampleWorkflow as buildExample } from '../../test/fixtures/example-workflow.mjs';

const exampleWorkflow = (): primitives.AnyPrimitive => buildExample(primitives);

const fetchA = step('fetch-a', (input: string) => `${input}a`);
const fetchB = step('fetch-b', (input: string) => `${input}b`);

class Settings extends WorkflowPrimitive<string, string> {
  constructor(private readonly settings: PrimitiveOptionsSummary) {
    super('settings');
  }
  override _describeOptions(): PrimitiveOptionsSummary {
    return this.settings;
  }
  protected executeImpl(_context: WorkflowContext, input: string): Promise<string> {
    return Promise.resolve(input);
  }
}

describe('fingerprint', () => {
  it('is the SHA-256 of the canonical description, with known values', () => {
    expect(canonicalJson(fetchA.describe())).toBe('{"kind":"step","name":"fetch-a"}');
    expect(fingerprint(fetchA)).toBe('520c0f2cc53828803113cfd3975031c035c7c19a041af16aaa0d71051f3498df');
    // Pinned: a change here means every recorded durable run would refuse to resume; make it on purpose.
    expect(fingerprint(exampleWorkflow())).toBe('7a826f8855d7a0b8084d0e076bdab21a1e837667fec8ff6cbde94e8eac00197d');
  });

  it('is the same for the same definition built twice', () => {
    expect(fingerprint(exampleWorkflow())).toBe(fingerprint(exampleWorkflow()));
    expect(fingerprint(exampleWorkflow())).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when a step is renamed, reordered, added or removed, or an option changes', () => {
    const base = fingerprint(sequential(fetchA, fetchB));
    const variants = [
      sequential(fetchA, step('fetch-c', (input: string) => input)),
      sequential(fetchB, fetchA),
      sequential(fetchA, fetchB, fetchB),
      sequential(fetchA, retry(fetchB)),
      fetchA.pipe(fetchB).pipe(fetchA),
    ];
    const prints = variants.map((variant) => fingerprint(variant));
    expect(new Set([base, ...prints]).size).toBe(variants.length + 1);
    expect(fingerprint(retry(fetchA, { maxAttempts: 3 }))).not.toBe(fingerprint(retry(fetchA, { maxAttempts: 4 })));
    expect(fingerprint(timeout(fetchA, { timeoutMs: 100 }))).not.toBe(fingerprint(timeout(fetchA, { timeoutMs: 101 })));
    expect(fingerprint(parallel({ a: fetchA, b: fetchB }))).not.toBe(fingerprint(parallel({ b: fetchA, a: fetchB })));
    expect(fingerprint(parallel({ a: fetchA, b: fetchB }))).not.toBe(fingerprint(parallel(fetchA, fetchB)));
  });

  it('does not depend on the order options were written in', () => {
    expect(fingerprint(new Settings({ alpha: 1, beta: 'two', gamma: true }))).toBe(fingerprint(new Settings({ gamma: true, beta: 'two', alpha: 1 })));
    expect(fingerprint(new Settings({ alpha: 1 }))).not.toBe(fingerprint(new Settings({ alpha: '1' })));
  });
});
