/** The outcome of {@link parseJsonLossless}. */
export type LosslessParse = { readonly ok: true; readonly value: unknown } | { readonly ok: false };

// 2^53 has 16 digits: a body without a run of 16 digits holds no integer that JSON.parse would round, so the
// native parser (several times faster) is exact for it.
const longDigitRun = /\d{16}/;

/**
 * Parses JSON text; integers that do not round-trip through a double as text become `bigint`, so two
 * 19-digit ids that differ in the last digit stay different. A key named `__proto__` is an own key like
 * any other (read values with `Object.hasOwn` guards: `constructor` is not a key of `{}`). Not JSON:
 * `{ ok: false }`.
 */
export function parseJsonLossless(text: string): LosslessParse {
  if (text.trim() === '') return { ok: false };
  try {
    // JSON.parse makes `__proto__` an own key like any other; readers look keys up with Object.hasOwn.
    if (!longDigitRun.test(text)) return { ok: true, value: JSON.parse(text) };
    const parser = new Parser(text);
    const value = parser.value();
    parser.end();
    return { ok: true, value };
  } catch {
    return { ok: false };
  }
}

/** JSON text of a value from {@link parseJsonLossless}, `bigint`s written as the integers they are. */
export function stringifyJson(value: unknown): string | undefined {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const marked = JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `\u0000bigint:${item.toString()}` : item));
  return marked?.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}

class Parser {
  private at = 0;
  constructor(private readonly text: string) {}

  end(): void {
    this.space();
    if (this.at !== this.text.length) throw new SyntaxError(`unexpected text at ${this.at}`);
  }

  value(): unknown {
    this.space();
    const char = this.text[this.at];
    if (char === '{') return this.object();
    if (char === '[') return this.array();
    if (char === '"') return this.string();
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return this.number();
    for (const [word, result] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return result;
      }
    }
    throw new SyntaxError(`unexpected ${char ?? 'end'} at ${this.at}`);
  }

  private space(): void {
    while (this.at < this.text.length && ' \t\n\r'.includes(this.text[this.at]!)) this.at++;
  }

  private expect(char: string): void {
    this.space();
    if (this.text[this.at] !== char) throw new SyntaxError(`expected ${char} at ${this.at}`);
    this.at++;
  }

  private object(): Record<string, unknown> {
    const result = Object.create(null) as Record<string, unknown>;
    this.expect('{');
    this.space();
    if (this.text[this.at] === '}') {
      this.at++;
      return result;
    }
    for (;;) {
      this.space();
      const key = this.string();
      this.expect(':');
      result[key] = this.value();
      this.space();
      if (this.text[this.at] === ',') {
        this.at++;
        continue;
      }
      this.expect('}');
      return result;
    }
  }

  private array(): unknown[] {
    const result: unknown[] = [];
    this.expect('[');
    this.space();
    if (this.text[this.at] === ']') {
      this.at++;
      return result;
    }
    for (;;) {
      result.push(this.value());
      this.space();
      if (this.text[this.at] === ',') {
        this.at++;
        continue;
      }
      this.expect(']');
      return result;
    }
  }

  private string(): string {
    if (this.text[this.at] !== '"') throw new SyntaxError(`expected a string at ${this.at}`);
    // Find the closing quote, skipping escapes, then let JSON.parse decode the escapes.
    let end = this.at + 1;
    while (end < this.text.length && this.text[end] !== '"') end += this.text[end] === '\\' ? 2 : 1;
    if (end >= this.text.length) throw new SyntaxError('unterminated string');
    const value = JSON.parse(this.text.slice(this.at, end + 1)) as string;
    this.at = end + 1;
    return value;
  }

  private number(): number | bigint {
    const match = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.at, this.at + 400));
    if (match === null) throw new SyntaxError(`bad number at ${this.at}`);
    const token = match[0];
    this.at += token.length;
    const number = Number(token);
    const integer = match[1] === undefined && match[2] === undefined;
    // Only an integer that does not survive the trip through a double (its text changes) is kept exact.
    return integer && !Number.isSafeInteger(number) && String(number) !== token.replace(/^-0$/, '0') ? BigInt(token) : number;
  }
}
