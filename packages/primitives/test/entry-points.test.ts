import { describe, expect, it } from 'vitest';
import * as main from '@tta/primitives';
import * as instrumentation from '@tta/primitives/instrumentation';
import * as logging from '@tta/primitives/logging';
import * as testing from '@tta/primitives/testing';

const names = (entry: object): string[] => Object.keys(entry);

describe('entry points of @tta/primitives', () => {
  it('the main entry holds what a workflow is composed with, InstrumentedPrimitive included', () => {
    for (const name of ['WorkflowContext', 'WorkflowPrimitive', 'InstrumentedPrimitive', 'step', 'sequential', 'parallel', 'retry', 'fallback', 'timeout', 'circuitBreaker', 'cache', 'metrics', 'TtaError', 'TimeoutError']) {
      expect(names(main)).toContain(name);
    }
  });

  it('the seam, the clock and the shared helpers are in /instrumentation only', () => {
    for (const name of ['registerInstrumentation', 'getInstrumentations', 'emitPrimitiveEvent', 'systemClock', 'sleep', 'assertDuration', 'assertDeadline', 'describeValue', 'hasMarker', 'stableKey', 'EventEmitter', 'toDisposable', 'wrapperName', 'detachedChildContext']) {
      expect(names(instrumentation)).toContain(name);
      expect(names(main)).not.toContain(name);
    }
  });

  it('loggers and redaction are in /logging only', () => {
    for (const name of ['createJsonLogger', 'bindLogger', 'silentLogger', 'redact', 'redactText', 'redactUrl', 'redactHeaders', 'redactBody', 'isSensitiveKey', 'secretRules', 'REDACTED']) {
      expect(names(logging)).toContain(name);
      expect(names(main)).not.toContain(name);
    }
  });

  it('test helpers are in /testing only', () => {
    for (const name of ['MockPrimitive', 'ManualClock', 'failFirst', 'failWithProbability', 'withLatency']) {
      expect(names(testing)).toContain(name);
      expect(names(main)).not.toContain(name);
    }
  });

  it('no name is exported by two entries', () => {
    const entries = [names(main), names(instrumentation), names(logging), names(testing)];
    const all = entries.flat();
    expect(all.filter((name, index) => all.indexOf(name) !== index)).toEqual([]);
  });
});
