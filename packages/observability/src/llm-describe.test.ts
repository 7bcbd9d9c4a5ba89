import { describe, expect, it } from 'vitest';
import { llmStep } from './llm.js';

describe('llmStep in a workflow description', () => {
  it('describes itself by its model and request settings, never by its callbacks', () => {
    const answer = llmStep('answer', (question: string) => question, { model: 'gpt-4o-mini', provider: 'openai', temperature: 0.2, usage: () => undefined });
    expect(answer.describe()).toEqual({ kind: 'llm', name: 'answer', options: { model: 'gpt-4o-mini', provider: 'openai', temperature: 0.2 } });
  });
});
