import { TtaError, type TtaErrorOptions } from '@tta/primitives';

const marker = Symbol.for('@tta/observability.MetricsServerError');

/** Thrown by `startMetricsServer` when the port cannot be bound; `reason` is Node's error code (`EADDRINUSE`...). */
export class MetricsServerError extends TtaError<'METRICS_SERVER_UNAVAILABLE'> {
  private readonly [marker] = true;
  /** The port stays taken (or forbidden) until the configuration changes. */
  override readonly retryable: boolean = false;
  /** Node's error code, for example `EADDRINUSE` or `EACCES`. */
  readonly reason: string | undefined;
  readonly host: string;
  readonly port: number;

  /** @param options `cause`: the listen error, whose `code` the message names */
  constructor(host: string, port: number, options: TtaErrorOptions & { readonly cause: NodeJS.ErrnoException }) {
    const cause = options.cause;
    const problem = cause.code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${cause.code ?? cause.message})`;
    super(`metrics port ${port} on ${host} ${problem}`, 'METRICS_SERVER_UNAVAILABLE', options);
    this.reason = cause.code;
    this.host = host;
    this.port = port;
  }

  /** True when `error` is a MetricsServerError, from any copy of the package. */
  static override isInstance(error: unknown): error is MetricsServerError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
