import { describe, expect, it } from 'vitest';
import { createProgressReporter } from './progress.js';

const sink = (isTTY: boolean) => {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, write: (text: string) => chunks.push(text) } };
};

describe('createProgressReporter', () => {
  it('prints plain, stamped lines when the output is not a terminal', () => {
    const { chunks, stream } = sink(false);
    const progress = createProgressReporter({ stream, agents: ['planner'] });
    progress.status('planner', 'working', 'splitting the question');
    progress.event('writer', 'retry', 'attempt 1 failed');
    progress.close();
    expect(chunks).toHaveLength(2);
    expect(chunks[0]).toMatch(/^\[\s*\d+\.\d\ds\] planner\s+working: splitting the question\n$/);
    expect(chunks[1]).toMatch(/^\[\s*\d+\.\d\ds\] writer\s+retry: attempt 1 failed\n$/);
    expect(chunks.join('')).not.toContain('\x1b[');
  });

  it('redraws a live board in place on a terminal, events scrolling above it', () => {
    const { chunks, stream } = sink(true);
    const progress = createProgressReporter({ stream, agents: ['planner', 'writer'] });
    progress.status('planner', 'done', '3 sub-questions');
    progress.event('writer', 'fallback', 'sim-large failed -> sim-small');
    progress.close();
    const output = chunks.join('');
    expect(output).toContain('\x1b[2F\x1b[J');
    expect(output).toMatch(/✓ planner\s+done\s+3 sub-questions/);
    expect(output).toMatch(/writer\s+fallback: sim-large failed -> sim-small\n/);
    const afterClose = chunks.length;
    progress.status('writer', 'done');
    expect(chunks.length).toBe(afterClose);
  });
});
