import { redactUrl as redactSharedUrl } from '@tta/primitives/logging';

/**
 * The URL with its password and any credential in its query or path hidden, for printing (a Redis URL
 * may carry one). Uses the toolkit's one redaction module, as logs, spans and recordings do.
 */
export function redactUrl(url: string): string {
  // `***` reads better than an escaped `[REDACTED]` inside a printed URL.
  return redactSharedUrl(url, { replacement: '***' });
}
