import { TtaError, type TtaErrorOptions } from '@tta/primitives';

const marker = Symbol.for('@tta/devtools.DevtoolsServerError');

/** Rejected by `startDevtools` when its port cannot be bound; `reason` is Node's error code (`EADDRINUSE`...). */
export class DevtoolsServerError extends TtaError<'DEVTOOLS_SERVER_UNAVAILABLE'> {
  private readonly [marker] = true;
  /** The port stays taken until something changes: trying again at once fails the same way. */
  override readonly retryable: boolean = false;
  /** Node's error code, for example `EADDRINUSE` or `EACCES`. */
  readonly reason: string | undefined;
  readonly host: string;
  readonly port: number;

  /** @param options `cause`: the listen error, whose `code` the message names */
  constructor(host: string, port: number, options: TtaErrorOptions & { readonly cause: NodeJS.ErrnoException }) {
    const cause = options.cause;
    const problem = cause.code === 'EADDRINUSE' ? 'is already in use (pass another port, or 0 for a free one)' : `cannot be bound (${cause.code ?? cause.message})`;
    super(`devtools port ${port} on ${host} ${problem}`, 'DEVTOOLS_SERVER_UNAVAILABLE', options);
    this.reason = cause.code;
    this.host = host;
    this.port = port;
  }

  /** True when `error` is a DevtoolsServerError, from any copy of the package. */
  static override isInstance(error: unknown): error is DevtoolsServerError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
