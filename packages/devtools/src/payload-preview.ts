import { redact } from '@tta/primitives/logging';

const maxPreviewLength = 4000;

/**
 * A payload (a run's input, a suspended run's `waitingFor.payload`) as JSON text for the page:
 * secrets redacted with the shared redaction, nesting and length bounded, and never a throw — a
 * value JSON cannot hold (a BigInt, a cycle after redaction) is shown by its type.
 */
export function payloadPreview(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(redact(value, { maxDepth: 6 }));
  } catch {
    text = `[${typeof value}]`;
  }
  if (text === undefined) return typeof value === 'undefined' ? 'undefined' : `[${typeof value}]`;
  return text.length > maxPreviewLength ? `${text.slice(0, maxPreviewLength)}…` : text;
}
