import { parseArgs } from 'node:util';
import { CliUsageError } from './cli-usage-error.js';

/** The durable team's steps, the values `--crash-after` accepts. */
export const DURABLE_STEPS = ['plan', 'research', 'review', 'approval', 'write'] as const;

/** What the command line asks for. */
export interface CliOptions {
  /** Seed of the simulated models. @default 7 */
  readonly seed: number;
  /** Fraction of simulated model calls that fail (0..1). @default 0.1 */
  readonly failureRate: number;
  /** The research question. */
  readonly question: string;
  /** Researchers working at the same time (the concurrency limit). @default 3 */
  readonly researchers: number;
  /** Redis URL: run the researchers as jobs on worker processes coordinating through Redis. */
  readonly redis: string | undefined;
  /** Worker processes started in Redis mode. @default 3 */
  readonly workers: number;
  /** Print the result as one JSON line after the summary as well. @default false */
  readonly json: boolean;
  /** Serve the devtools page and run the team once a browser has it open. @default false */
  readonly devtools: boolean;
  /** Port of the devtools page (0: a free one). @default 4320 */
  readonly devtoolsPort: number;
  /** Seconds the devtools page stays up after the run; until Ctrl+C when not given. */
  readonly devtoolsLingerSeconds: number | undefined;
  /** Run the team as a durable workflow journaled in `runsDir` (implied by the three flags below). @default false */
  readonly durable: boolean;
  /** Durable mode: SIGKILL the process right after this step is journaled. */
  readonly crashAfter: (typeof DURABLE_STEPS)[number] | undefined;
  /** Durable mode: resume this run instead of starting one. */
  readonly resume: string | undefined;
  /** Durable mode: answer the approval question with "approved". @default false */
  readonly approve: boolean;
  /** Durable mode: where runs are journaled. @default ./.tta-runs */
  readonly runsDir: string | undefined;
  /** Show the usage and exit. */
  readonly help: boolean;
}

/** The question asked when none is given. */
export const DEFAULT_QUESTION = 'How should a team make its LLM features reliable in production?';

/** Usage text of the command. */
export const USAGE = `Usage: node dist/main.js [options]

  --question <text>       the research question (default: "${DEFAULT_QUESTION}")
  --seed <n>              seed of the simulated models (default 7)
  --failure-rate <0..0.9> fraction of simulated model calls that fail (default 0.1)
  --researchers <n>       researchers at work at the same time (default 3)
  --redis <url>           run researchers on worker processes coordinating through Redis
  --workers <n>           worker processes in Redis mode (default 3)
  --json                  also print the result as one JSON line
  --devtools              serve the devtools page (prints its URL); the team starts once it is open
  --devtools-port <n>     port of the devtools page (default 4320; 0 picks a free one)
  --devtools-linger <s>   keep the page up s seconds after the run (default: until Ctrl+C)
  --durable               run the team as a durable workflow journaled in --runs-dir
  --crash-after <step>    durable: kill the process right after a step (${DURABLE_STEPS.join(', ')})
  --resume <runId>        durable: resume a run; completed steps are not called again
  --approve               durable: answer the approval question (asked when run in a terminal)
  --runs-dir <dir>        durable: where runs are journaled (default ./.tta-runs)
  --help                  show this help`;

/** Parses and checks the command line. */
export function parseCliOptions(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        question: { type: 'string' },
        seed: { type: 'string' },
        'failure-rate': { type: 'string' },
        researchers: { type: 'string' },
        redis: { type: 'string' },
        workers: { type: 'string' },
        json: { type: 'boolean' },
        devtools: { type: 'boolean' },
        'devtools-port': { type: 'string' },
        'devtools-linger': { type: 'string' },
        durable: { type: 'boolean' },
        'crash-after': { type: 'string' },
        resume: { type: 'string' },
        approve: { type: 'boolean' },
        'runs-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
  const values = parsed.values;
  const seed = integer('--seed', values.seed, 7, -2_147_483_648, 2_147_483_647);
  const failureRate = values['failure-rate'] === undefined ? 0.1 : Number(values['failure-rate']);
  if (!(failureRate >= 0 && failureRate <= 0.9)) throw new CliUsageError('--failure-rate must be a number between 0 and 0.9');
  const question = (values.question ?? DEFAULT_QUESTION).trim();
  if (question.length === 0 || question.length > 500) throw new CliUsageError('--question must have 1 to 500 characters');
  const crashAfter = values['crash-after'];
  if (crashAfter !== undefined && !(DURABLE_STEPS as readonly string[]).includes(crashAfter)) throw new CliUsageError(`--crash-after must be one of ${DURABLE_STEPS.join(', ')}`);
  const resume = values.resume;
  if (resume !== undefined && (resume.length === 0 || resume.length > 200)) throw new CliUsageError('--resume must be a run id of 1 to 200 characters');
  const durable = (values.durable ?? false) || crashAfter !== undefined || resume !== undefined || values.approve === true || values['runs-dir'] !== undefined;
  if (durable && (values.redis !== undefined || values.devtools === true)) throw new CliUsageError('the durable flags cannot be combined with --redis or --devtools');
  return {
    seed,
    failureRate,
    question,
    researchers: integer('--researchers', values.researchers, 3, 1, 16),
    redis: values.redis,
    workers: integer('--workers', values.workers, 3, 1, 16),
    json: values.json ?? false,
    devtools: values.devtools ?? false,
    devtoolsPort: integer('--devtools-port', values['devtools-port'], 4320, 0, 65_535),
    devtoolsLingerSeconds: values['devtools-linger'] === undefined ? undefined : integer('--devtools-linger', values['devtools-linger'], 0, 0, 86_400),
    durable,
    crashAfter: crashAfter as CliOptions['crashAfter'],
    resume,
    approve: values.approve ?? false,
    runsDir: values['runs-dir'],
    help: values.help ?? false,
  };
}

function integer(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new CliUsageError(`${flag} must be an integer from ${min} to ${max}`);
  return value;
}
