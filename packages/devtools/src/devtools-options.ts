import type { AnyPrimitive } from '@tta/primitives';

/**
 * A durable workflow as the page uses it: anything with `list`, `inspect` and `resume` in the shape
 * `@tta/durable` gives them. Read by shape, so this package needs no dependency on `@tta/durable`.
 */
export interface DurableWorkflowLike {
  /** The runs of this workflow, newest first; the page asks for `{ status: 'suspended' }`. */
  list(options?: { readonly status?: string; readonly limit?: number }): Promise<readonly DurableRunSummaryLike[]>;
  /** One run's record, or `undefined` when there is none. */
  inspect(runId: string): Promise<unknown>;
  /** Continues a suspended run with `value`. */
  resume(runId: string, options?: { readonly value?: unknown }): Promise<unknown>;
}

/** One entry of {@link DurableWorkflowLike.list}. */
export interface DurableRunSummaryLike {
  readonly runId: string;
  readonly name?: string;
  readonly status: string;
  readonly updatedAt?: number;
}

/** What `workflows` may map a name to: a primitive, or a durable workflow. */
export type DevtoolsWorkflow = AnyPrimitive | DurableWorkflowLike;

/** Options of {@link startDevtools}. */
export interface DevtoolsOptions {
  /**
   * The workflows the page shows, by display name: primitives, or durable workflows (whose suspended
   * runs the page lists with a resume form).
   * @example
   * ```ts
   * startDevtools({ workflows: { checkout: reserve.pipe(charge) } });
   * ```
   */
  readonly workflows: Readonly<Record<string, DevtoolsWorkflow>>;
  /**
   * Port to listen on; `0` picks a free one.
   * @default 4320
   */
  readonly port?: number;
  /**
   * Interface to listen on. Anything but a loopback address exposes the page to the network: an
   * explicit opt-in, still guarded by the token.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * The secret every request must carry (`?token=`). Give one to keep a bookmarked URL working
   * across restarts; at least 16 characters.
   * @default 32 random hex characters from `node:crypto`
   */
  readonly token?: string;
  /**
   * How many recent runs are kept and replayed to a browser that connects later.
   * @default 50
   */
  readonly historySize?: number;
  /**
   * How many events wait for one slow browser before newer ones are dropped (and counted).
   * @default 2000
   */
  readonly clientBufferSize?: number;
  /**
   * Runs recorded in detail per second. A busy service starts far more runs than a page can show;
   * past this many in a second, runs are only counted (the page shows how many it left out), and
   * run as if the devtools were not there: they decline them in `Instrumentation.observeRun`, so the
   * core runs them on its uninstrumented path. Runs of workflows not on the page are observed (one of
   * the page's workflows may run inside them).
   * @default 20
   */
  readonly maxRunsPerSecond?: number;
  /**
   * Event streams (open pages) served at once; one more is answered 503 with `Retry-After`. Each
   * stream is sent the recent history (up to 8 MB) and has a queue of its own, so their number is
   * bounded.
   * @default 8
   */
  readonly maxBrowsers?: number;
}

/** What {@link startDevtools} resolves to. */
export interface DevtoolsServer {
  /** The page's address, token included: open it in a browser. */
  readonly url: string;
  /** The port actually bound (useful with `port: 0`). */
  readonly port: number;
  /** Events not delivered to a slow or closed browser since the server started. */
  readonly droppedEvents: number;
  /** Runs left out of the page because more than `maxRunsPerSecond` started in a second. */
  readonly runsNotShown: number;
  /** Browsers connected to the event stream now. */
  readonly connectedBrowsers: number;
  /**
   * Resolves once a browser has the page open (at once if one has, or once the server is closed):
   * runs are recorded only while one is, so a script that wants its first run on the page waits
   * for this before starting it.
   * @example
   * ```ts
   * const devtools = await startDevtools({ workflows: { checkout } });
   * console.log(`open ${devtools.url}`);
   * await devtools.waitForBrowser();
   * await checkout.run(order);
   * ```
   */
  waitForBrowser(): Promise<void>;
  /** Stops the server, ends every event stream and unregisters the instrumentation. */
  close(): Promise<void>;
}
