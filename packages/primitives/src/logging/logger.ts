import { redact, redactText, type RedactOptions } from './redact.js';

/** Structured fields of one log record. */
export type LogFields = Record<string, unknown>;

/** Severity of a log record. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * The logger interface the toolkit writes to. A pino logger fits as it is (`info(obj, msg)`), so
 * does `console`.
 */
export interface Logger {
  debug(fields: LogFields, message?: string): void;
  info(fields: LogFields, message?: string): void;
  warn(fields: LogFields, message?: string): void;
  error(fields: LogFields, message?: string): void;
}

/** A logger that drops every record: the default, so a library never prints on its own. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Options of {@link createJsonLogger}. */
export interface JsonLoggerOptions {
  /**
   * Lowest level written.
   * @default 'info'
   */
  readonly level?: LogLevel;
  /**
   * Where each JSON line goes.
   * @default console.log
   */
  readonly write?: (line: string) => void;
  /** Fields added to every record (for example `{ service: 'api' }`). */
  readonly base?: LogFields;
}

/** A dependency-free logger that writes one JSON object per line. */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const minimum = levelRank[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => console.log(line));
  const base = options.base ?? {};
  const at = (level: LogLevel) => (fields: LogFields, message?: string) => {
    if (levelRank[level] < minimum) return;
    const record: LogFields = { level, time: new Date().toISOString(), ...base, ...fields };
    if (message !== undefined) record.msg = message;
    write(safeStringify(record));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, item: unknown) =>
      item instanceof Error ? { name: item.name, message: item.message } : typeof item === 'bigint' ? item.toString() : item,
    );
  } catch {
    return JSON.stringify({ level: 'error', msg: 'unserialisable log record' });
  }
}

/**
 * Wraps a logger so that every record carries `fields` (the correlation id, for instance) and has
 * its secret-looking keys redacted before it reaches the sink.
 */
export function bindLogger(logger: Logger, fields: LogFields, redactOptions: RedactOptions = {}): Logger {
  const at = (level: LogLevel) => (extra: LogFields, message?: string) => {
    logger[level](redact({ ...extra, ...fields }, redactOptions), message === undefined ? undefined : redactText(message, redactOptions.replacement));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
