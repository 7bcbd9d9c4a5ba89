import { TtaError } from '@tta/primitives';

/** What a call under fuzzing did. */
export type Outcome = { kind: 'value'; value: unknown } | { kind: 'typed-error'; error: TtaError } | { kind: 'user-error'; error: unknown };

/**
 * Classifies a thrown value: a toolkit error with a message is fine, a value we threw on purpose
 * (`userErrors`) is fine, anything else (TypeError from inside the library, ...) is a bug.
 */
export function classify(error: unknown, userErrors: ReadonlySet<unknown>): Outcome {
  if (userErrors.has(error)) return { kind: 'user-error', error };
  if (TtaError.isInstance(error) && error.message.length > 10) return { kind: 'typed-error', error };
  throw new Error(`untyped failure from the library: ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}`);
}

/** Runs `work`, failing if it takes longer than `limitMs` (a hang). */
export async function withinTime<T>(work: Promise<T>, limitMs: number, label: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`hang: ${label} did not settle within ${limitMs} ms`)), limitMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
