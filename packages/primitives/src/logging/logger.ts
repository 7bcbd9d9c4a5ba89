import { redact, redactText, type RedactOptions } from './redact.js';
import { readFields, toLoggable } from './loggable.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { requireFunction, requireMethods } from '../core/options.js';

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

/**
 * The part of a writable stream that {@link createJsonLogger} uses: Node's `process.stdout`, a
 * `fs.WriteStream` or a socket fit as they are (a structural type, so the core needs no `node:`
 * import).
 */
export interface LogStream {
  /** Writes one chunk; `callback` gets an error when the chunk could not be written. */
  write(chunk: string, callback?: (error?: Error | null) => void): unknown;
  /** Subscribes to 'error' events; a Node stream without a listener throws them out of the process. */
  on?(event: 'error', listener: (error: Error) => void): unknown;
  /** True once the stream is closed or failed: lines are then dropped without writing. */
  readonly destroyed?: boolean;
  /** Bytes written but not yet flushed (Node's `writable.writableLength`), compared with `maxPendingBytes`. */
  readonly writableLength?: number;
}

/** Default of {@link JsonLoggerOptions.maxPendingBytes}: 16 MiB. */
export const DEFAULT_MAX_PENDING_LOG_BYTES = 16 * 1024 * 1024;

/** Options of {@link createJsonLogger}. */
export interface JsonLoggerOptions {
  /**
   * Lowest level written.
   * @default 'info'
   */
  readonly level?: LogLevel;
  /**
   * Where each JSON line goes. A `write` that throws drops the line (counted in `droppedLines`).
   * Give either `write` or `stream`.
   * @default console.log
   */
  readonly write?: (line: string) => void;
  /**
   * A stream that receives each JSON line followed by `\n` (for example `process.stdout`). The
   * logger handles the stream's 'error' events (such as EPIPE when the reader exits), so a failing
   * stream never takes the process down: lines that cannot be written are dropped and counted.
   * @example
   * ```ts
   * const logger = createJsonLogger({ stream: process.stdout });
   * ```
   */
  readonly stream?: LogStream;
  /**
   * Most bytes left queued in `stream` (its `writableLength`) before new lines are dropped and
   * counted in `droppedLines`. A reader that is alive but stops reading (a stalled pipe) would
   * otherwise make the process buffer every later line in memory until it runs out of heap.
   * @default 16 MiB ({@link DEFAULT_MAX_PENDING_LOG_BYTES})
   */
  readonly maxPendingBytes?: number;
  /** Fields added to every record (for example `{ service: 'api' }`). */
  readonly base?: LogFields;
}

/** A logger made by {@link createJsonLogger}. */
export interface JsonLogger extends Logger {
  /**
   * Lines that could not be written: the `write` function threw, or the stream reported an error
   * for them or had already failed. Logging never throws; this is how a failing sink shows.
   */
  readonly droppedLines: number;
}

// Streams whose 'error' event is handled already (several loggers may share process.stdout).
const failedStreams = new WeakMap<LogStream, { failed: boolean }>();

function watchStream(stream: LogStream): { failed: boolean } {
  let state = failedStreams.get(stream);
  if (state !== undefined) return state;
  const created = { failed: false };
  state = created;
  failedStreams.set(stream, created);
  // One listener per stream, for its lifetime: without it, an EPIPE 'error' event is thrown.
  stream.on?.('error', () => {
    created.failed = true;
  });
  return created;
}

/**
 * A dependency-free logger that writes one JSON object per line. Logging never throws: a field
 * whose getter throws, a revoked proxy or a cycle is written as a placeholder and the other fields
 * are kept; a sink that fails, or a stream whose reader stalls with `maxPendingBytes` queued, drops
 * the line and counts it in `droppedLines`.
 */
export function createJsonLogger(options: JsonLoggerOptions = {}): JsonLogger {
  if (options.write !== undefined && options.stream !== undefined) throw new InvalidOptionsError('createJsonLogger', 'stream', 'give either write or stream, not both');
  requireFunction('createJsonLogger', 'write', options.write, { optional: true, signature: '(line) => void' });
  const stream = options.stream;
  requireMethods('createJsonLogger', 'stream', stream, { optional: true, methods: ['write'], description: 'a writable stream (write(chunk, callback))' });
  const maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_LOG_BYTES;
  if (typeof maxPendingBytes !== 'number' || !(maxPendingBytes > 0)) throw new InvalidOptionsError('createJsonLogger', 'maxPendingBytes', 'must be a number > 0 (bytes)');
  const minimum = levelRank[options.level ?? 'info'];
  const base = readFields(options.base);
  let dropped = 0;
  const drop = (): void => {
    dropped++;
  };
  let write: (line: string) => void;
  if (stream !== undefined) {
    const state = watchStream(stream);
    const onWritten = (error?: Error | null): void => {
      if (error !== undefined && error !== null) {
        state.failed = true;
        drop();
      }
    };
    write = (line) => {
      if (state.failed || stream.destroyed === true) return drop();
      // A stalled reader: drop rather than queue without bound (the stream keeps what it has).
      const pending = stream.writableLength;
      if (typeof pending === 'number' && pending >= maxPendingBytes) return drop();
      stream.write(`${line}\n`, onWritten);
    };
  } else {
    write = options.write ?? ((line: string) => console.log(line));
  }
  const at = (level: LogLevel) => (fields: LogFields, message?: string) => {
    if (levelRank[level] < minimum) return;
    try {
      const record: LogFields = { level, time: new Date().toISOString(), ...base, ...readFields(fields) };
      if (message !== undefined) record.msg = typeof message === 'string' ? message : String(toLoggable(message));
      write(JSON.stringify(toLoggable(record)));
    } catch {
      // The sink failed (a closed file, a full disk): a log call never fails the caller's work.
      drop();
    }
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    get droppedLines() {
      return dropped;
    },
  };
}

/**
 * Wraps a logger so that every record carries `fields` (the correlation id, for instance) and has
 * its secret-looking keys redacted before it reaches the sink. It never throws: unreadable fields
 * become placeholders, and a sink that throws loses the line, not the caller's work.
 */
export function bindLogger(logger: Logger, fields: LogFields, redactOptions: RedactOptions = {}): Logger {
  const at = (level: LogLevel) => (extra: LogFields, message?: string) => {
    try {
      const record = { ...readFields(extra), ...fields };
      const text = typeof message === 'string' ? redactText(message, redactOptions.replacement) : undefined;
      logger[level](redact(record, redactOptions), text);
    } catch {
      // Redaction or the sink failed; dropping the line is the only safe answer (never unredacted).
    }
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
