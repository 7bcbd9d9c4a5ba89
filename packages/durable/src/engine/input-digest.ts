import { createHash } from 'node:crypto';

/**
 * A short digest of a step's input, kept with its record so that a resume replays a recorded
 * output only for the input it was computed from. Occurrence numbers (`call`, `call#2`) follow the
 * order in which calls under one parent start; calls started after awaits of different lengths
 * (a `Promise.all` over items inside one step) can start in another order on resume, and the
 * digest keeps one item's output from being given to another. `undefined` for an input JSON
 * cannot write (a cycle, a BigInt, a client object): such a step is matched by its path alone.
 */
export function inputDigest(input: unknown): string | undefined {
  // Bytes are hashed as they are: JSON would spell each one out as a number.
  if (ArrayBuffer.isView(input)) return createHash('sha256').update(new Uint8Array(input.buffer, input.byteOffset, input.byteLength)).digest('base64url').slice(0, 22);
  let text: string | undefined;
  try {
    text = JSON.stringify(input);
  } catch {
    return undefined;
  }
  // `undefined` (a void input) has no JSON text; it is still an input worth telling apart.
  return createHash('sha256')
    .update(text ?? '')
    .digest('base64url')
    .slice(0, 22);
}
