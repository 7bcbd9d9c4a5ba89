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
      devtools: false,
      devtoolsPort: 4320,
      devtoolsLingerSeconds: undefined,
      durable: false,
      crashAfter: undefined,
      resume: undefined,
      approve: false,
      runsDir: undefined,
      help: false,
    });
  });

  it('reads the durable flags, each of which turns durable mode on, and refuses an unknown step', () => {
    expect(parseCliOptions(['--crash-after', 'research'])).toMatchObject({ durable: true, crashAfter: 'research' });
    expect(parseCliOptions(['--resume', 'team-1', '--approve', '--runs-dir', '/tmp/runs'])).toMatchObject({ durable: true, resume: 'team-1', approve: true, runsDir: '/tmp/runs' });
    expect(() => parseCliOptions(['--crash-after', 'lunch'])).toThrow('--crash-after must be one of plan, research, review, approval, write');
    expect(() => parseCliOptions(['--durable', '--redis', 'redis://127.0.0.1:6379'])).toThrow('cannot be combined');
  });

  it('reads the devtools flags and refuses a bad port or linger', () => {
    expect(parseCliOptions(['--devtools', '--devtools-port', '0', '--devtools-linger', '30'])).toMatchObject({ devtools: true, devtoolsPort: 0, devtoolsLingerSeconds: 30 });
    expect(() => parseCliOptions(['--devtools-port', '70000'])).toThrow('--devtools-port must be an integer from 0 to 65535');
    expect(() => parseCliOptions(['--devtools-linger=-1'])).toThrow('--devtools-linger must be an integer from 0 to 86400');
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
