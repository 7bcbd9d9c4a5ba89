import { InvalidInputError } from '@tta/primitives';
import { describeValue } from '@tta/primitives/instrumentation';
import type { CoordinationFailureReason } from '../errors/coordination-error.js';
import { deepEqual, stableStringify } from './deep-equal.js';

/** A successful agent result. */
interface Success<TOutput> {
  readonly agentId: string;
  readonly value: TOutput;
}

/** The answer of a consensus or a vote, or why there is none. */
export type Decision<TOutput> =
  | {
      readonly ok: true;
      readonly value: TOutput;
      readonly supporters: readonly string[];
      readonly agreement: number;
      readonly tally?: Readonly<Record<string, number>>;
      readonly ballot?: string;
    }
  | { readonly ok: false; readonly reason: CoordinationFailureReason; readonly detail: string };

/** Agreement tests of a consensus. */
export interface AgreementOptions<TOutput> {
  readonly equals?: (left: TOutput, right: TOutput) => boolean;
  readonly similarity?: (left: TOutput, right: TOutput) => number;
  readonly minSimilarity?: number;
}

/**
 * Groups outputs that agree (each output joins the first group whose first member it agrees with)
 * and accepts the largest group when it holds at least `threshold` of all agents and no other
 * group is as large.
 */
export function decideConsensus<TOutput>(
  successes: readonly Success<TOutput>[],
  agentCount: number,
  threshold: number,
  options: AgreementOptions<TOutput>,
): Decision<TOutput> {
  const { equals, similarity } = options;
  const minSimilarity = options.minSimilarity ?? 0.8;
  const agree = (left: TOutput, right: TOutput): boolean => {
    if (equals !== undefined) return Boolean(equals(left, right));
    if (similarity === undefined) return deepEqual(left, right);
    const score: unknown = similarity(left, right);
    if (typeof score !== 'number') throw new InvalidInputError(owner, `similarity must return a number in [0, 1] (got ${describeValue(score)})`);
    return score >= minSimilarity;
  };
  const groups: Success<TOutput>[][] = [];
  for (const success of successes) {
    const group = groups.find((candidate) => agree(candidate[0]!.value, success.value));
    if (group === undefined) groups.push([success]);
    else group.push(success);
  }
  const sorted = [...groups].sort((left, right) => right.length - left.length);
  const best = sorted[0]!;
  const agreement = best.length / agentCount;
  if (sorted[1] !== undefined && sorted[1].length === best.length) {
    return { ok: false, reason: 'no-consensus', detail: `${sorted.filter((group) => group.length === best.length).length} answers have ${best.length} supporters each` };
  }
  if (agreement < threshold) {
    return { ok: false, reason: 'no-consensus', detail: `agreement ${format(agreement)} is below the threshold ${format(threshold)}` };
  }
  return { ok: true, value: best[0]!.value, supporters: best.map((success) => success.agentId), agreement };
}

/** Counts one ballot per successful agent; the ballot with most votes wins, a tie for first place fails. */
export function decideVote<TOutput>(successes: readonly Success<TOutput>[], agentCount: number, ballotOf: ((output: TOutput) => string) | undefined): Decision<TOutput> {
  const tally: Record<string, number> = {};
  const first = new Map<string, Success<TOutput>>();
  const supporters = new Map<string, string[]>();
  for (const success of successes) {
    const ballot: unknown = ballotOf === undefined ? defaultBallot(success) : ballotOf(success.value);
    if (typeof ballot !== 'string') {
      throw new InvalidInputError(owner, `ballot must return a string (got ${describeValue(ballot)} for the output of agent ${describeValue(success.agentId)})`);
    }
    tally[ballot] = (tally[ballot] ?? 0) + 1;
    if (!first.has(ballot)) first.set(ballot, success);
    supporters.set(ballot, [...(supporters.get(ballot) ?? []), success.agentId]);
  }
  const ranked = Object.entries(tally).sort((left, right) => right[1] - left[1]);
  const [ballot, votes] = ranked[0]!;
  if (ranked[1] !== undefined && ranked[1][1] === votes) {
    const tied = ranked.filter(([, count]) => count === votes).map(([name]) => JSON.stringify(name));
    return { ok: false, reason: 'tie', detail: `${tied.join(' and ')} have ${votes} votes each` };
  }
  return { ok: true, value: first.get(ballot)!.value, supporters: supporters.get(ballot)!, agreement: votes / agentCount, tally, ballot };
}

const owner = 'AgentCoordinationPrimitive';

/** The default ballot: the output's sorted-key JSON; data JSON cannot hold (a bigint, a cycle) is refused. */
function defaultBallot<TOutput>(success: Success<TOutput>): string {
  try {
    return stableStringify(success.value);
  } catch {
    throw new InvalidInputError(owner, `the output of agent ${describeValue(success.agentId)} cannot be written as JSON for a ballot (got ${describeValue(success.value)}); give a ballot function`);
  }
}

function format(share: number): string {
  return Number(share.toFixed(3)).toString();
}
