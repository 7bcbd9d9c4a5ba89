import { describe, expect, it } from 'vitest';
import { runScenario, type MeasureSettings, type Scenario } from '../src/harness.js';

const smoke: MeasureSettings = { rounds: 2, minTimeMs: 1, smoke: true };
const leftoverMs = 20;

describe('runScenario', () => {
  it('lets the timers a variant leaves armed fire before the next variant is measured', async () => {
    let pending = 0;
    const seenByNext: number[] = [];
    const scenario: Scenario = {
      id: 'leftover-timers',
      title: 'A variant that leaves a timer armed per operation',
      steps: 1,
      expected: 1,
      variants: [
        {
          label: 'leaves timers',
          role: 'peer',
          run: () => {
            pending++;
            setTimeout(() => pending--, leftoverMs).unref();
            return Promise.resolve(1);
          },
          leavesTimersMs: leftoverMs,
        },
        // Node keeps a timer list alive while a timer of its duration is pending, which makes the next
        // variant's timers cheaper: it must start with none of the previous variant's left.
        { label: 'next', role: 'baseline', run: () => Promise.resolve(1), before: () => void seenByNext.push(pending) },
      ],
    };
    await runScenario(scenario, smoke);
    // Once when the variant is checked, then once per round.
    expect(seenByNext).toEqual([0, 0, 0]);
  });
});
