/** The parts of a writable stream (such as `process.stdout`) that {@link createStreamLogSink} uses. */
export interface LogStream {
  write(chunk: string): boolean;
  on(event: 'error', listener: (error: Error) => void): unknown;
  readonly writableLength: number;
  readonly destroyed: boolean;
}

/** Options of {@link createStreamLogSink}. */
export interface StreamLogSinkOptions {
  /**
   * Lines waiting in the stream's buffer beyond this many bytes are dropped instead of queued: a
   * reader that stalls must not grow the process's memory without bound.
   * @default 8388608 (8 MiB)
   */
  readonly maxBufferedBytes?: number;
}

/** A log line writer that never throws and never takes the process down. */
export interface StreamLogSink {
  /** Writes one line (a newline is added); drops it when the stream is broken or backed up. */
  write(line: string): void;
  /** Lines dropped since creation. */
  readonly dropped: number;
  /** True once the stream has failed (for example EPIPE after its reader exited). */
  readonly broken: boolean;
}

/**
 * Writes log lines to a stream such as `process.stdout` so that a failing reader never crashes the
 * service: without an `error` listener, an EPIPE on stdout (the log collector exited) is an
 * uncaught exception that ends the process with requests in flight. Failed and backed-up lines
 * are counted and dropped.
 */
export function createStreamLogSink(stream: LogStream, options: StreamLogSinkOptions = {}): StreamLogSink {
  const maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  let dropped = 0;
  let broken = false;
  stream.on('error', () => {
    broken = true;
  });
  return {
    write(line) {
      if (broken || stream.destroyed || stream.writableLength > maxBufferedBytes) {
        dropped++;
        return;
      }
      try {
        stream.write(`${line}\n`);
      } catch {
        // A synchronous stream (a file, a TTY) may throw instead of emitting `error`.
        broken = true;
        dropped++;
      }
    },
    get dropped() {
      return dropped;
    },
    get broken() {
      return broken;
    },
  };
}
