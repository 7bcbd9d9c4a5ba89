import { createModelProvider, SimulatedModelProvider, type ModelProvider } from '@tta-apps/model-provider';
import { teamResponder } from './team-responder.js';

/** The team's two models. */
export interface TeamProviders {
  readonly primary: ModelProvider;
  readonly backup: ModelProvider;
}

/**
 * Offline: a seeded simulated "large" model that fails `failureRate` of its calls (and hangs on a
 * fifth of that share, to exercise the timeouts), and a faster "small" backup that fails half as
 * often. With `OPENAI_BASE_URL` / `OPENAI_API_KEY` set: the real endpoint for both.
 */
export function createTeamProviders(seed: number, failureRate: number, env: Readonly<Record<string, string | undefined>> = process.env): TeamProviders {
  const primary = createModelProvider({
    env,
    simulated: {
      seed,
      model: 'sim-large',
      latencyMs: { min: 40, max: 140 },
      failureRate,
      slowRate: failureRate / 5,
      slowLatencyMs: 3000,
      outputTokens: { min: 60, max: 220 },
      pricing: { inputPerMillionUsd: 2.5, outputPerMillionUsd: 10 },
      respond: teamResponder,
    },
  });
  if (!primary.simulated) return { primary, backup: primary };
  const backup = new SimulatedModelProvider({
    seed: seed + 1,
    model: 'sim-small',
    latencyMs: { min: 15, max: 60 },
    failureRate: failureRate / 2,
    outputTokens: { min: 40, max: 140 },
    pricing: { inputPerMillionUsd: 0.15, outputPerMillionUsd: 0.6 },
    respond: teamResponder,
  });
  return { primary, backup };
}
