import { measure } from 'mitata';

/** Who a variant stands for in the comparison. */
export type Role = 'raw' | 'baseline' | 'tta' | 'peer';

/** One way of doing a scenario's job: the raw baseline, a hand-written baseline, ours, or a peer. */
export interface Variant {
  /** Shown in the table, e.g. `'raw await'`, `'@tta/primitives'`, `'effect 4'`. */
  readonly label: string;
  readonly role: Role;
  /** One operation. Must resolve to the scenario's `expected` value. */
  readonly run: () => Promise<unknown>;
  /** Called before this variant is measured (e.g. to turn metrics off or register an instrumentation). */
  readonly before?: () => void;
  /** Undoes `before`. */
  readonly after?: () => void | Promise<void>;
  /** Why this variant cannot be compared exactly, shown under the table. */
  readonly note?: string;
  /** The result this variant produces, when its shape differs from the scenario's `expected`. */
  readonly expected?: unknown;
  /**
   * How long timers this variant leaves armed after an operation stay pending, in ms (e.g. an
   * `AbortSignal.timeout` that is never cleared). The harness waits this long after measuring the
   * variant: Node keeps one timer list per duration alive while any timer of that duration is
   * pending, so leftovers would make the next variant's `setTimeout` + `clearTimeout` about half as
   * dear as it is on its own, and whichever variant follows would be measured in easier conditions.
   */
  readonly leavesTimersMs?: number;
}

/** A job done by every variant, with how many primitive steps one operation runs. */
export interface Scenario {
  readonly id: string;
  readonly title: string;
  /** Steps per operation, to turn the overhead over raw into an overhead per step. */
  readonly steps: number;
  readonly expected: unknown;
  readonly variants: readonly Variant[];
  /** Peers that cannot express the scenario, and why. */
  readonly missing?: readonly string[];
}

/** A variant's measured time per operation. */
export interface VariantResult {
  readonly label: string;
  readonly role: Role;
  /**
   * The median time per operation of the best round (the lowest of the rounds' medians): on a
   * shared machine, other processes only ever add time, so the best round is the least disturbed.
   */
  readonly medianNs: number;
  readonly rounds: readonly number[];
  readonly note?: string;
}

/** All variants of one scenario, measured in the same process. */
export interface ScenarioResult {
  readonly scenario: Scenario;
  readonly results: readonly VariantResult[];
}

/** How hard to measure. */
export interface MeasureSettings {
  /** Interleaved rounds per variant; the reported figure is the lowest of the rounds' medians. */
  readonly rounds: number;
  /** Minimum measured time per variant and round, in ms. */
  readonly minTimeMs: number;
  /** Few iterations, for CI (times are not meaningful). */
  readonly smoke: boolean;
}

/** Runs one operation of a variant and checks it produces the scenario's expected value. */
export async function checkVariant(scenario: Scenario, variant: Variant): Promise<void> {
  variant.before?.();
  try {
    const value = await variant.run();
    const expected = 'expected' in variant ? variant.expected : scenario.expected;
    if (!deepEqual(value, expected)) {
      throw new Error(`${scenario.id} / ${variant.label}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(value)}`);
    }
  } finally {
    await variant.after?.();
  }
}

/** Median time of one operation of `run`, in ns (mitata: batched samples, median of the samples). */
export async function medianNs(run: () => Promise<unknown>, settings: MeasureSettings): Promise<number> {
  const stats = await measure(run, settings.smoke
    ? { min_cpu_time: 1e6, min_samples: 2, max_samples: 4, batch_samples: 16, warmup_samples: 1 }
    : { min_cpu_time: settings.minTimeMs * 1e6 });
  return stats.p50;
}

/**
 * Measures every variant of a scenario, interleaved over `rounds` rounds so a burst of noise from
 * the machine hits every variant alike. Each variant is checked once before it is measured.
 */
export async function runScenario(scenario: Scenario, settings: MeasureSettings): Promise<ScenarioResult> {
  for (const variant of scenario.variants) {
    await checkVariant(scenario, variant);
    await settle(variant);
  }
  const rounds = scenario.variants.map((): number[] => []);
  for (let round = 0; round < settings.rounds; round++) {
    for (const [index, variant] of scenario.variants.entries()) {
      variant.before?.();
      try {
        rounds[index]!.push(await medianNs(variant.run, settings));
      } finally {
        await variant.after?.();
      }
      await settle(variant);
    }
  }
  const results = scenario.variants.map((variant, index): VariantResult => {
    const measured = rounds[index]!;
    const result = { label: variant.label, role: variant.role, medianNs: Math.min(...measured), rounds: measured };
    return variant.note === undefined ? result : { ...result, note: variant.note };
  });
  return { scenario, results };
}

/** Waits until the timers `variant` left armed have fired, so the next variant starts from the same state. */
async function settle(variant: Variant): Promise<void> {
  if (variant.leavesTimersMs === undefined || variant.leavesTimersMs <= 0) return;
  await new Promise((resolve) => setTimeout(resolve, variant.leavesTimersMs! + settleMarginMs));
}

/** Slack past a leftover timer's delay: Node may fire a timer a few ms late. */
const settleMarginMs = 50;

function deepEqual(actual: unknown, expected: unknown): boolean {
  return JSON.stringify(actual) === JSON.stringify(expected);
}
