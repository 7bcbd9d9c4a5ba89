import { describe, expect, it } from 'vitest';
import type { Role, ScenarioResult } from '../src/harness.js';
import { checkTargets } from '../src/report.js';

const variant = (label: string, role: Role, medianNs: number) => ({ label, role, medianNs, rounds: [medianNs] });

function result(id: string, peers: readonly [string, number][], oursNs: number): ScenarioResult {
  return {
    scenario: { id, title: `Scenario ${id}`, steps: 1, expected: 1, variants: [] },
    results: [variant('raw', 'raw', 50), variant('@tta/primitives, metrics on (default)', 'tta', oursNs), ...peers.map(([label, ns]) => variant(label, 'peer', ns))],
  };
}

describe('checkTargets against the peers', () => {
  it('checks that the default configuration is at least 5 % faster than every peer, scenario by scenario', () => {
    const checks = checkTargets([result('retry-success', [['cockatiel retry', 200], ['p-retry', 6_000]], 180), result('circuit-breaker', [['cockatiel breaker', 200]], 195)], []);
    const peerChecks = checks.filter((check) => check.target.includes('faster than'));
    expect(peerChecks).toEqual([
      { target: 'Scenario retry-success: ours (metrics on) ≥ 5 % faster than cockatiel retry', measured: '0.90× (180 vs 200 ns)', met: true },
      { target: 'Scenario retry-success: ours (metrics on) ≥ 5 % faster than p-retry', measured: '0.03× (180 vs 6,000 ns)', met: true },
      { target: 'Scenario circuit-breaker: ours (metrics on) ≥ 5 % faster than cockatiel breaker', measured: '0.97× (195 vs 200 ns)', met: false },
    ]);
  });
});
