import { redactText } from '@tta/primitives/logging';

/**
 * Replaces every credential the provider knows of, and every credential-looking token, in text that
 * came from the endpoint (an error body may echo the key).
 */
export class SecretScrubber {
  private readonly secrets: readonly string[];

  constructor(secrets: ReadonlyArray<string | undefined>) {
    this.secrets = secrets.filter((secret): secret is string => secret !== undefined && secret.length >= 4);
  }

  scrub(text: string): string {
    // Shapes first: cutting a known key's tail out of a longer key would leave a head redaction no longer recognises.
    let result = redactText(text);
    for (const secret of this.secrets) {
      result = result.split(secret).join('[REDACTED]');
      // A gateway may echo a key without its `sk-live-` style prefix: its long tails go too.
      for (let index = 1; index < secret.length - 12; index++) {
        if (secret[index] === '-' || secret[index] === '_') result = result.split(secret.slice(index + 1)).join('[REDACTED]');
      }
    }
    return result;
  }

  /**
   * A copy of an error safe to keep as a `cause`: its name, message, stack and `code` scrubbed, and
   * its own causes copied the same way (a fetch error's cause may embed the request URL, query
   * credentials included, and `util.inspect` shows the whole chain).
   */
  scrubError(error: unknown, depth = 0): unknown {
    if (!(error instanceof Error)) return typeof error === 'string' ? this.scrub(error) : undefined;
    const copy = new Error(this.scrub(error.message));
    copy.name = this.scrub(error.name);
    if (error.stack !== undefined) copy.stack = this.scrub(error.stack);
    const code: unknown = (error as { code?: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') Object.assign(copy, { code: typeof code === 'string' ? this.scrub(code) : code });
    // Bounded: a cause chain may be cyclic.
    if (error.cause !== undefined && depth < 8) copy.cause = this.scrubError(error.cause, depth + 1);
    return copy;
  }
}
