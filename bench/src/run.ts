// Runs every benchmark scenario in one process and writes the results to docs/benchmarks.md.
//   node --expose-gc dist/run.js [--smoke] [--rounds N] [--time MS] [--only id,id] [--no-write]
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { do_not_optimize, measure } from 'mitata';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScenario, type MeasureSettings, type Scenario, type ScenarioResult } from './harness.js';
import { measureMemory, type MemoryResult } from './memory.js';
import { checkTargets, formatNs, memoryTable, scenarioTable, targetTable } from './report.js';
import { createCoreScenarios, createObservabilityScenario, startTracing } from './scenarios/index.js';

interface Arguments {
  readonly smoke: boolean;
  readonly rounds: number;
  readonly timeMs: number;
  readonly only: readonly string[] | undefined;
  readonly write: boolean;
}

function parseArguments(argv: readonly string[]): Arguments {
  const value = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    return index === -1 ? undefined : argv[index + 1];
  };
  const smoke = argv.includes('--smoke');
  const only = value('--only')?.split(',');
  return {
    smoke,
    rounds: Number(value('--rounds') ?? (smoke ? 1 : 5)),
    timeMs: Number(value('--time') ?? 40),
    only,
    write: !smoke && only === undefined && !argv.includes('--no-write'),
  };
}

const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = join(here, '..', '..');
const documentPath = join(repositoryRoot, 'docs', 'benchmarks.md');
const startMarker = '<!-- results:start (written by `pnpm bench`; edit outside the markers) -->';
const endMarker = '<!-- results:end -->';

function newestModification(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestModification(path));
    else if (entry.name.endsWith('.ts') && !entry.name.includes('.test')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The benchmark measures the built packages (what users install): warn when a build is stale. */
function warnIfStale(): void {
  for (const name of ['primitives', 'observability']) {
    const packageDirectory = join(repositoryRoot, 'packages', name);
    const built = join(packageDirectory, 'dist', 'index.js');
    if (!existsSync(built)) throw new Error(`packages/${name}/dist is missing: run \`pnpm build\` (or \`pnpm bench\` from the root)`);
    if (newestModification(join(packageDirectory, 'src')) > statSync(built).mtimeMs) {
      console.warn(`WARNING: packages/${name}/src is newer than its dist; run \`pnpm --filter @tta/${name} build\` for current numbers`);
    }
  }
}

async function clockReadCost(settings: MeasureSettings): Promise<number> {
  const samples: number[] = [];
  for (let round = 0; round < settings.rounds; round++) {
    const stats = await measure(() => do_not_optimize(performance.now()), settings.smoke ? { min_cpu_time: 1e6, max_samples: 4 } : { min_cpu_time: settings.minTimeMs * 1e6 });
    samples.push(stats.p50);
  }
  return Math.min(...samples);
}

function environment(): string {
  const cpu = cpus();
  return [
    `- Date: ${new Date().toISOString()}`,
    `- Node ${process.version} (V8 ${process.versions.v8}), ${process.platform}/${process.arch}`,
    `- Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM (shared, noisy)`,
  ].join('\n');
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  if (!args.smoke) warnIfStale();
  const settings: MeasureSettings = { rounds: args.rounds, minTimeMs: args.timeMs, smoke: args.smoke };
  const selected = (scenario: { readonly id: string }): boolean => args.only === undefined || args.only.includes(scenario.id);
  const started = Date.now();
  const results: ScenarioResult[] = [];
  // The floor of any timing: what one clock read costs on this machine, in this run.
  const clockReadNs = await clockReadCost(settings);
  console.log(`One performance.now() costs ${formatNs(clockReadNs)} ns in this run.`);

  const run = async (scenario: Scenario): Promise<void> => {
    const result = await runScenario(scenario, settings);
    results.push(result);
    console.log(`\n${scenarioTable(result)}`);
  };

  for (const scenario of await createCoreScenarios()) if (selected(scenario)) await run(scenario);

  let memory: MemoryResult[] = [];
  if (selected({ id: 'memory' })) {
    memory = await measureMemory(args.smoke ? [1_000] : [10_000, 100_000], undefined, args.smoke ? 1 : 3);
    console.log(`\n${memoryTable(memory)}`);
  }

  // Last: the AsyncLocalStorage context manager slows every await in the process once enabled.
  if (selected({ id: 'observability' })) {
    const tracing = startTracing();
    try {
      await run(createObservabilityScenario(tracing));
    } finally {
      await tracing.shutdown();
    }
  }

  const targets = checkTargets(results, memory);
  console.log(`\n${targetTable(targets)}`);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`\nDone in ${seconds} s.`);

  if (!args.write) return;
  const command = `pnpm bench (node --expose-gc bench/dist/run.js: ${settings.rounds} interleaved rounds of ≥ ${settings.minTimeMs} ms per variant; each figure is the best round's median time per operation)`;
  const generated = [
    startMarker,
    '## Latest results',
    '',
    environment(),
    `- Command: \`${command}\`, ${seconds} s in all`,
    `- One \`performance.now()\` cost ${formatNs(clockReadNs)} ns in this run (the floor under every figure with metrics on)`,
    '',
    targetTable(targets),
    '',
    ...results.flatMap((result) => [scenarioTable(result), '']),
    memoryTable(memory),
    endMarker,
  ].join('\n');
  const existing = existsSync(documentPath) ? readFileSync(documentPath, 'utf8') : `# Benchmarks\n\n${startMarker}\n${endMarker}\n`;
  const from = existing.indexOf(startMarker);
  const to = existing.indexOf(endMarker);
  const updated = from === -1 || to === -1 ? `${existing.trimEnd()}\n\n${generated}\n` : `${existing.slice(0, from)}${generated}${existing.slice(to + endMarker.length)}`;
  writeFileSync(documentPath, updated);
  console.log(`Wrote ${documentPath}`);
}

await main();
