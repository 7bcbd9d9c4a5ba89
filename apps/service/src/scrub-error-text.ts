import { redactText } from '@tta/primitives/logging';

// scheme://[userinfo@]host[/path][?query][#fragment], up to the next whitespace. The scheme is a whole
// run of scheme characters: with a `\b` start, every `.` or `-` of a long `a.a.a...` word started a
// new scan to its end (quadratic: 4 s for 100 KB); now each run is scanned from its start only.
const urlPattern = /(?<![a-z0-9+.-])([a-z0-9+.-]*:\/\/)(?:[^\s/?#@]*@)?([^\s/?#]*)([^\s?#]*)(?:[?#]\S*)?/gi;

/**
 * An error text as it may be written to the service's log: the userinfo and query of every URL in
 * it removed (`https://user:pass@host/v1?key=...` becomes `https://host/v1`), then credential-shaped
 * tokens redacted. Clients never see error texts at all; this guards the log.
 */
export function scrubErrorText(text: string): string {
  return redactText(text.replace(urlPattern, '$1$2$3'));
}
