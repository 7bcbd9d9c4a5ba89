import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '@tta/primitives';
import { workflowQueueName } from './workflow-queue-name.js';

describe('workflowQueueName', () => {
  it('names the queue after the sorted workflow names, from a record or an array alike', () => {
    expect(workflowQueueName({ summarise: 1, research: 2 })).toBe('workflows-research,summarise');
    expect(workflowQueueName(['summarise', 'research', 'summarise'])).toBe('workflows-research,summarise');
  });

  it('escapes separators so that two different sets never get one name, and no name holds a colon', () => {
    expect(workflowQueueName(['a,b'])).not.toBe(workflowQueueName(['a', 'b']));
    expect(workflowQueueName(['a:b', '{x}'])).toBe('workflows-a%3Ab,%7Bx%7D');
    expect(workflowQueueName(['%2C'])).not.toBe(workflowQueueName([',']));
  });

  it('falls back to a digest beyond 200 characters, stable for the same set', () => {
    const many = Array.from({ length: 40 }, (_, index) => `workflow-number-${index}`);
    const name = workflowQueueName(many);
    expect(name).toMatch(/^workflows-#[0-9a-f]{64}$/);
    expect(workflowQueueName([...many].reverse())).toBe(name);
  });

  it('refuses no workflows, an empty name or a non-string with InvalidOptionsError', () => {
    expect(() => workflowQueueName([])).toThrow(InvalidOptionsError);
    expect(() => workflowQueueName([''])).toThrow('workflowQueueName: option "workflows" must hold non-empty names (got "")');
    expect(() => workflowQueueName([7 as never])).toThrow('must hold non-empty names (got 7)');
    expect(() => workflowQueueName(null as never)).toThrow('must be the workflows record or an array of their names (got null)');
  });
});
