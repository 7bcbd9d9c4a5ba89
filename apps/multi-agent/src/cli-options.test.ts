import { describe, expect, it } from 'vitest';
import { DEFAULT_QUESTION, parseCliOptions } from './cli-options.js';
import { CliUsageError } from './cli-usage-error.js';

describe('parseCliOptions', () => {
  it('uses the defaults without flags', () => {
    expect(parseCliOptions([])).toEqual({
      seed: 7,
      failureRate: 0.1,
      question: DEFAULT_QUESTION,
      researchers: 3,
      redis: undefined,
      workers: 3,
      json: false,
      help: false,
    });
  });

  it('reads every flag', () => {
    const options = parseCliOptions(['--seed', '11', '--failure-rate', '0.5', '--question', 'Why?', '--researchers', '2', '--redis', 'redis://127.0.0.1:6380', '--workers', '4', '--json']);
    expect(options).toMatchObject({ seed: 11, failureRate: 0.5, question: 'Why?', researchers: 2, redis: 'redis://127.0.0.1:6380', workers: 4, json: true });
  });

  it('refuses bad values with a one-line usage error', () => {
    for (const argv of [['--failure-rate', '1.5'], ['--failure-rate', 'lots'], ['--seed', '1.5'], ['--researchers', '0'], ['--question', '  '], ['--nope'], ['positional']]) {
      let caught: unknown;
      try {
        parseCliOptions(argv);
      } catch (error) {
        caught = error;
      }
      expect(CliUsageError.isInstance(caught), argv.join(' ')).toBe(true);
      expect((caught as Error).message).not.toContain('\n');
    }
  });
});
