import { describe, expect, it } from 'vitest';
import * as observability from '@tta/observability';

describe('@tta/observability public entry', () => {
  it('exports what a user calls and none of the internals (option resolution, the label guard, attribute helpers)', () => {
    const names = Object.keys(observability);
    for (const internal of ['resolveObservabilityOptions', 'LabelGuard', 'looksUnbounded', 'otherLabel', 'tracerName', 'primitiveAttributes', 'genAiAttributes']) {
      expect(names).not.toContain(internal);
    }
    for (const api of ['initializeObservability', 'shutdownObservability', 'getObservabilityStatus', 'getMetricsRegistry', 'createTracingInstrumentation', 'contextFromHeaders', 'injectHeaders', 'llmStep', 'recordLlmCall']) {
      expect(names).toContain(api);
    }
  });
});
