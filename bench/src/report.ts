import type { ScenarioResult, VariantResult } from './harness.js';
import type { MemoryResult } from './memory.js';

/** A target from the issue, checked against this run's numbers. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

const ourDefault = '@tta/primitives, metrics on (default)';

/** `1234.5` -> `"1,235"`, `12.34` -> `"12.3"`. */
export function formatNs(value: number): string {
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(1);
}

function find(result: ScenarioResult | undefined, predicate: (variant: VariantResult) => boolean): VariantResult | undefined {
  return result?.results.find(predicate);
}

/** The variant our rows are compared with in the ratio column: metrics on, else the first of ours. */
export function reference(result: ScenarioResult): VariantResult | undefined {
  return find(result, (variant) => variant.label === ourDefault) ?? find(result, (variant) => variant.role === 'tta');
}

/** Ratio of two variants' times (their best rounds). */
export function ratio(a: VariantResult, b: VariantResult): number {
  return a.medianNs / b.medianNs;
}

/** Overhead per step over the raw variant, in ns (best rounds). */
export function overheadPerStep(result: ScenarioResult, variant: VariantResult): number | undefined {
  const raw = find(result, (candidate) => candidate.role === 'raw');
  if (raw === undefined) return undefined;
  return (variant.medianNs - raw.medianNs) / result.scenario.steps;
}

/** One scenario as a markdown table. */
export function scenarioTable(result: ScenarioResult): string {
  const ours = reference(result);
  const lines = [
    `### ${result.scenario.title}`,
    '',
    `| variant | ns/op (best round's median) | overhead per step over raw (ns) | time ÷ ${ours?.label ?? 'ours'} |`,
    '|---|---:|---:|---:|',
  ];
  for (const variant of result.results) {
    const overhead = variant.role === 'raw' ? '—' : formatNs(overheadPerStep(result, variant) ?? Number.NaN);
    const relative = ours === undefined ? '—' : `${ratio(variant, ours).toFixed(2)}×`;
    lines.push(`| ${variant.label} | ${formatNs(variant.medianNs)} | ${overhead} | ${relative} |`);
  }
  const notes = [
    ...result.results.filter((variant) => variant.note !== undefined).map((variant) => `${variant.label}: ${variant.note!}`),
    ...(result.scenario.missing ?? []).map((missing) => `Not expressible: ${missing}.`),
  ];
  if (notes.length > 0) lines.push('', ...notes.map((note) => `- ${note}`));
  lines.push('', `Steps per operation: ${result.scenario.steps}. Rounds (ns/op): ${result.results.map((variant) => `${variant.label} ${variant.rounds.map((value) => Math.round(value)).join('/')}`).join('; ')}.`);
  return lines.join('\n');
}

/** The memory results as a markdown table, one column per concurrency. */
export function memoryTable(results: readonly MemoryResult[]): string {
  const counts = [...new Set(results.map((result) => result.count))];
  const labels = [...new Set(results.map((result) => result.label))];
  const raw = (count: number) => results.find((result) => result.role === 'raw' && result.count === count)?.bytesPerWorkflow;
  const header = counts.map((count) => `${count.toLocaleString('en-US')} pending: bytes (× raw)`);
  const lines = ['### Retained heap per pending 3-step workflow', '', `| variant | ${header.join(' | ')} |`, `|---|${counts.map(() => '---:').join('|')}|`];
  for (const label of labels) {
    const cells = counts.map((count) => {
      const bytes = results.find((result) => result.label === label && result.count === count)?.bytesPerWorkflow;
      const base = raw(count);
      if (bytes === undefined) return '—';
      return base === undefined ? `${Math.round(bytes)}` : `${Math.round(bytes)} (${(bytes / base).toFixed(2)}×)`;
    });
    lines.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  const notes = [...new Set(results.filter((result) => result.note !== undefined).map((result) => `${result.label}: ${result.note!}`))];
  if (notes.length > 0) lines.push('', ...notes.map((note) => `- ${note}`));
  return lines.join('\n');
}

/** Checks the issue's targets against the measured numbers. */
export function checkTargets(results: readonly ScenarioResult[], memory: readonly MemoryResult[]): TargetCheck[] {
  const byId = (id: string) => results.find((result) => result.scenario.id === id);
  const variant = (id: string, label: string) => find(byId(id), (candidate) => candidate.label === label);
  const checks: TargetCheck[] = [];

  const sequential = byId('sequential');
  const off = variant('sequential', '@tta/primitives, metrics off');
  const on = variant('sequential', ourDefault);
  if (sequential !== undefined && off !== undefined && on !== undefined) {
    const offOverhead = overheadPerStep(sequential, off)!;
    const onOverhead = overheadPerStep(sequential, on)!;
    checks.push({ target: 'sequential overhead per step, no instrumentation (metrics off) ≤ 30 ns', measured: `${formatNs(offOverhead)} ns`, met: offOverhead <= 30 });
    checks.push({ target: 'sequential overhead per step, built-in metrics on ≤ 100 ns', measured: `${formatNs(onOverhead)} ns`, met: onOverhead <= 100 });
  }

  // Each ratio target is checked without instrumentation (as the hand-written baselines) and with the
  // built-in metrics on (the default configuration).
  const ratioCheck = (id: string, baselineRole: 'raw' | 'baseline', target: string, limit: number, strict = false): void => {
    const result = byId(id);
    const baseline = find(result, (candidate) => candidate.role === baselineRole);
    if (baseline === undefined) return;
    for (const [label, suffix] of [
      ['@tta/primitives, metrics off', 'no instrumentation (metrics off)'],
      [ourDefault, 'built-in metrics on (default)'],
    ] as const) {
      const ours = variant(id, label);
      if (ours === undefined) continue;
      const measured = ratio(ours, baseline);
      checks.push({
        target: `${target}, ${suffix}`,
        measured: `${measured.toFixed(2)}× (${formatNs(ours.medianNs)} vs ${formatNs(baseline.medianNs)} ns)`,
        met: strict ? measured < limit : measured <= limit,
      });
    }
  };
  ratioCheck('parallel', 'raw', 'parallel fan-out of 10 ≤ 2× raw Promise.all', 2);
  ratioCheck('retry-success', 'baseline', 'retry success path ≤ 1.5× a hand-written try/catch loop', 1.5);
  ratioCheck('timeout', 'baseline', 'timeout wrapper < a setTimeout + clearTimeout pair', 1, true);

  // The issue's headline: the default configuration ahead of every peer ("ahead": its best round's
  // median at least 5 % lower), in every scenario a peer can express.
  for (const result of results) {
    const ours = find(result, (candidate) => candidate.label === ourDefault);
    if (ours === undefined) continue;
    for (const peer of result.results.filter((candidate) => candidate.role === 'peer')) {
      const measured = ratio(ours, peer);
      checks.push({
        target: `${result.scenario.title}: ours (metrics on) ≥ 5 % faster than ${peer.label}`,
        measured: `${measured.toFixed(2)}× (${formatNs(ours.medianNs)} vs ${formatNs(peer.medianNs)} ns)`,
        met: measured <= 0.95,
      });
    }
  }

  const observability = byId('observability');
  if (observability !== undefined) {
    const raw = find(observability, (candidate) => candidate.role === 'raw');
    const bare = find(observability, (candidate) => candidate.role === 'baseline');
    const ours = find(observability, (candidate) => candidate.role === 'tta');
    if (raw !== undefined && bare !== undefined && ours !== undefined) {
      const oursPerSpan = overheadPerStep(observability, ours)!;
      const barePerSpan = overheadPerStep(observability, bare)!;
      const perSpan = oursPerSpan / barePerSpan;
      checks.push({
        target: 'observability on ≤ 1.3× a bare OpenTelemetry span per primitive',
        measured: `${perSpan.toFixed(2)}× (${formatNs(oursPerSpan)} vs ${formatNs(barePerSpan)} ns per span over raw; whole run ${ratio(ours, bare).toFixed(2)}×)`,
        met: perSpan <= 1.3,
      });
    }
  }

  for (const count of [...new Set(memory.map((result) => result.count))]) {
    const raw = memory.find((result) => result.role === 'raw' && result.count === count)?.bytesPerWorkflow;
    const ours = memory.find((result) => result.role === 'tta' && result.count === count)?.bytesPerWorkflow;
    if (raw === undefined || ours === undefined) continue;
    checks.push({
      target: `retained heap per pending 3-step workflow ≤ 1.5× raw (${count.toLocaleString('en-US')} concurrent, a context per run)`,
      measured: `${Math.round(ours)} B vs ${Math.round(raw)} B = ${(ours / raw).toFixed(2)}×`,
      met: ours / raw <= 1.5,
    });
  }
  return checks;
}

/** The targets as a markdown table. */
export function targetTable(checks: readonly TargetCheck[]): string {
  return ['### Targets', '', '| target | measured | met |', '|---|---|:---:|', ...checks.map((check) => `| ${check.target} | ${check.measured} | ${check.met ? 'yes' : '**no**'} |`)].join('\n');
}
