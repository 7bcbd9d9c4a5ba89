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
    text = JSON.stringify(redact(shownPart(value, 0), { maxDepth: 6 }));
  } catch {
    text = `[${typeof value}]`;
  }
  if (text === undefined) return typeof value === 'undefined' ? 'undefined' : `[${typeof value}]`;
  return text.length > maxPreviewLength ? `${text.slice(0, maxPreviewLength)}…` : text;
}

// Longer than any credential the redaction knows, so one that starts inside the preview ends inside
// the part that is redacted, and never shows half-cut (and so unrecognised).
const secretMargin = 512;
const maxShownString = maxPreviewLength + secretMargin;
// Each item takes at least two characters of JSON ("1,"): past this many, none would be shown.
const maxShownItems = maxPreviewLength / 2;

/**
 * The part of `value` a preview can show: strings, arrays and plain objects cut to what fits in
 * `maxPreviewLength` characters. Redacting a 20 MB input whole took a second of the event loop that
 * the workflows share, for 4000 characters shown. Other objects (a Map, an Error, a class) are left
 * to `redact`, which knows them.
 */
function shownPart(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.length > maxShownString ? value.slice(0, maxShownString) : value;
  if (typeof value !== 'object' || value === null || depth > 6) return value;
  if (Array.isArray(value)) {
    return value.length > maxShownItems || value.some((item) => typeof item === 'string' || typeof item === 'object')
      ? value.slice(0, maxShownItems).map((item: unknown) => shownPart(item, depth + 1))
      : value;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  let count = 0;
  for (const key of Object.keys(value)) {
    if (++count > maxShownItems) break;
    let item: unknown;
    try {
      item = (value as Record<string, unknown>)[key];
    } catch {
      // As `redact` shows a getter that throws: that value is lost, not the whole preview.
      item = '[Unreadable]';
    }
    copy[key] = shownPart(item, depth + 1);
  }
  return copy;
}
