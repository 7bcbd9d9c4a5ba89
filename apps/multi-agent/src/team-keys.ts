import { stateKey } from '@tta/agent-context';
import type { Finding, Review } from './team-records.js';

// Entries of a run expire after an hour, so a shared Redis does not keep old runs forever.
const ttlMs = 60 * 60_000;

/** Blackboard keys of a run (workflow scope: one set per correlation id). */
export const teamKeys = {
  plan: stateKey<string[]>('team/plan', { ttlMs }),
  claim: (index: number) => stateKey<string>(`team/claim/${index}`, { ttlMs }),
  finding: (index: number) => stateKey<Finding>(`team/finding/${index}`, { ttlMs }),
  review: stateKey<Review>('team/review', { ttlMs }),
  answer: stateKey<string>('team/answer', { ttlMs }),
};
