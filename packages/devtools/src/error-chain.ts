import { redactText } from '@tta/primitives/logging';

/** One link of a failure's cause chain, as the page shows it. */
export interface ErrorLink {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

const maxLinks = 8;
const maxMessageLength = 2000;

/**
 * The error and its `cause`s, outermost first, with credentials redacted: messages quote user data
 * (a URL with a key, a prompt), and this is what leaves the process. A cycle or a deep chain stops
 * after eight links; a getter that throws ends the chain instead of failing the run's report.
 */
export function errorChain(error: unknown): ErrorLink[] {
  const links: ErrorLink[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && links.length < maxLinks && !seen.has(current)) {
    seen.add(current);
    try {
      links.push(describeLink(current));
      current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
    } catch {
      links.push({ name: 'Error', message: '[unreadable error]' });
      break;
    }
  }
  return links;
}

function describeLink(error: unknown): ErrorLink {
  if (typeof error !== 'object') return { name: typeof error, message: clip(redactText(String(error))) };
  const record = error as { name?: unknown; message?: unknown; code?: unknown };
  // A name and a code are user data too: a library may build them from a response or a request.
  const name = typeof record.name === 'string' ? clip(redactText(record.name)) : 'Error';
  const message = typeof record.message === 'string' ? clip(redactText(record.message)) : '';
  return typeof record.code === 'string' ? { name, message, code: clip(redactText(record.code)) } : { name, message };
}

function clip(text: string): string {
  return text.length > maxMessageLength ? `${text.slice(0, maxMessageLength)}…` : text;
}
