import { redactText, redactUrl, type RedactionRules } from './redaction.js';

/** The error's name and message, or a short description of a thrown non-error; never throws. */
function describeFailure(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`;
    return typeof error === 'string' ? error : `a thrown ${error === null ? 'null' : typeof error}`;
  } catch {
    return 'an error that cannot be described';
  }
}

/**
 * Writes one line to stderr about a request the recorder could not handle, with the URL and the
 * error text redacted like the recordings themselves: the raw URL carries query tokens
 * (`?key=AIza...`, `?access_token=...`) and error texts may quote them. Never throws.
 *
 * @example
 * ```ts fragment
 * reportRecordingFailure('could not record', 'GET', 'https://api.example/v1?key=AIza...', error, rules);
 * // tta-keploy: could not record GET https://api.example/v1?key=%5BREDACTED%5D (Error: socket hang up)
 * ```
 */
export function reportRecordingFailure(what: string, method: string | undefined, url: string | undefined, error: unknown, rules: RedactionRules): void {
  try {
    const target = url === undefined ? '' : ` ${redactUrl(url, rules)}`;
    console.error(`tta-keploy: ${what} ${method ?? 'request'}${target} (${redactText(describeFailure(error), rules)})`);
  } catch {
    // Reporting is best effort: a failing stderr must not fail the recorder.
  }
}
