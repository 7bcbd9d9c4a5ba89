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
}
