import { stat } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { resolve } from 'node:path';
import { BatchInterceptor } from '@mswjs/interceptors';
import { ClientRequestInterceptor } from '@mswjs/interceptors/ClientRequest';
import { FetchInterceptor } from '@mswjs/interceptors/fetch';
import { InvalidOptionsError, type Event } from '@tta/primitives';
import { EventEmitter, systemClock, type Clock } from '@tta/primitives/instrumentation';
import { RecordingInUseError } from '../errors/recording-in-use-error.js';
import { TestSetNotFoundError } from '../errors/test-set-not-found-error.js';
import { UnmatchedRequestError } from '../errors/unmatched-request-error.js';
import { UnreplayedConnectionError } from '../errors/unreplayed-connection-error.js';
import { UnusedMocksError } from '../errors/unused-mocks-error.js';
import { resolveMaxDocuments } from '../files/max-documents.js';
import { resolveMaxFileBytes } from '../files/read-capped-file.js';
import { nameProblem, pathInside } from '../files/safe-name.js';
import { headersToRecord } from '../format/headers.js';
import { MockMatcher, type LiveRequest } from '../matching/request-matcher.js';
import { isHttpMock, type HttpMock, type Mock } from '../model.js';
import { listTestSets, readMocks, writeMocks } from '../test-set-files.js';
import { captureBody, type BodyCapture } from './body-capture.js';
import { guardConnections, guardedTargets } from './net-guard.js';
import { toRecordedMock, type ExchangeStart } from './recorded-mock.js';
import { resolveRecordMode, type RecordMode } from './record-mode.js';
import type { RedactionRules } from './redaction.js';
import { toReplayResponse, type StreamTiming } from './replay-response.js';
import { reportRecordingFailure } from './report-failure.js';

/** Options of {@link startRecording}. */
export interface RecordingOptions {
  /**
   * The Keploy folder that holds the `test-set-N` folders.
   * @default 'keploy' (relative to the working directory)
   */
  readonly dir?: string;
  /**
   * Name of the test set folder, e.g. `'test-set-0'` or `'weather-api'`: a plain folder name inside `dir`
   * (not empty, `.` or `..`, without `/`, `\`, `:` or control characters).
   */
  readonly testSet: string;
  /**
   * What to do with outgoing requests. `TTA_RECORD_MODE` overrides it.
   * @default 'replay'
   */
  readonly mode?: RecordMode;
  /**
   * Request headers that must match too (by default only method, URL and body count).
   * @default []
   */
  readonly matchHeaders?: readonly string[];
  /**
   * Extra header, query and body field names to redact (authorization, cookies, API keys, tokens,
   * passwords and secrets are always redacted).
   * @default []
   */
  readonly redactKeys?: readonly string[];
  /**
   * Literal values scrubbed from everything written (an API key read from the environment, say).
   * @default []
   */
  readonly secrets?: readonly string[];
  /**
   * Set to `false` to write recorded URLs as a path without scheme and host, as Keploy writes its client
   * mocks; such a recording matches the same path on any host (an upstream on a random port, say).
   * @default true
   */
  readonly recordHost?: boolean;
  /**
   * Requests for which this returns true go to the network untouched: neither recorded nor replayed.
   * @default none
   */
  readonly passthrough?: (request: { readonly method: string; readonly url: URL }) => boolean;
  /**
   * Pace of replayed streams: `'instant'` hands chunks out as fast as they are read, `'recorded'` waits
   * the recorded delay before each chunk (through `clock`).
   * @default 'instant'
   */
  readonly streamTiming?: StreamTiming;
  /**
   * Source of time for timestamps, chunk delays and paced replay.
   * @default systemClock
   */
  readonly clock?: Clock;
  /**
   * Largest `mocks.yaml` read, in bytes; a larger one makes `startRecording` reject with
   * `FileTooLargeError` before reading it.
   * @default 268435456 (256 MiB)
   */
  readonly maxFileBytes?: number;
  /**
   * Most YAML documents read from `mocks.yaml`; past it `startRecording` rejects with
   * `TooManyDocumentsError`.
   * @default 1000000
   */
  readonly maxDocuments?: number;
  /**
   * Environment read for `TTA_RECORD_MODE`.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A request answered from a recording. */
export interface ReplayEvent {
  /** The recording used. */
  readonly mock: HttpMock;
  /** Method of the live request. */
  readonly method: string;
  /** URL of the live request. */
  readonly url: string;
}

/** A running record/replay session; created by {@link startRecording}. */
export interface RecordingSession {
  /** The effective mode (after `TTA_RECORD_MODE`). */
  readonly mode: RecordMode;
  /** Test set name. */
  readonly testSet: string;
  /** Absolute path of the test set folder. */
  readonly testSetDir: string;
  /** Every mock of the set: those loaded (every kind) and those recorded so far. */
  readonly mocks: readonly Mock[];
  /** Exchanges recorded by this session, in request order. */
  readonly recorded: readonly HttpMock[];
  /** Requests refused in replay mode. */
  readonly unmatched: readonly UnmatchedRequestError[];
  /** Fires when an exchange is recorded (after its body ended). */
  readonly onRecord: Event<HttpMock>;
  /** Fires when a request is answered from a recording. */
  readonly onReplay: Event<ReplayEvent>;
  /** Fires when a request is refused in replay mode. */
  readonly onUnmatched: Event<UnmatchedRequestError>;
  /** HTTP recordings never replayed (non-HTTP mocks are not counted). */
  unusedMocks(): HttpMock[];
  /** Throws {@link UnusedMocksError} naming every HTTP recording never replayed. */
  assertAllUsed(): void;
  /** Stops intercepting, waits for bodies still being recorded and writes `mocks.yaml` (record/update). Safe to call twice. */
  stop(): Promise<void>;
  /** Same as `stop()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const activeKey = Symbol.for('@tta/keploy-testing.activeSession');
type GlobalWithSession = typeof globalThis & { [activeKey]?: { testSet: string } };
const globalState = globalThis as GlobalWithSession;

const ignoredRequestHeaders = new Set(['x-interceptors-internal-request-id']);
const nextMockIndex = (mocks: readonly Mock[]): number => {
  let max = -1;
  for (const mock of mocks) {
    const match = /^mock-(\d+)$/.exec(mock.name);
    if (match !== null) max = Math.max(max, Number(match[1]));
  }
  return max + 1;
};

interface PendingExchange extends ExchangeStart {
  readonly index: number;
  readonly body: Promise<string>;
}

class Session implements RecordingSession {
  readonly mode: RecordMode;
  readonly testSet: string;
  readonly testSetDir: string;
  readonly unmatched: UnmatchedRequestError[] = [];
  private readonly loaded: Mock[];
  private readonly newMocks: Array<{ index: number; mock: HttpMock }> = [];
  private readonly matcher: MockMatcher;
  private readonly pending = new Map<string, PendingExchange>();
  private readonly captures = new Set<BodyCapture>();
  private readonly captureDone = new Set<Promise<void>>();
  private readonly recordEmitter = new EventEmitter<HttpMock>();
  private readonly replayEmitter = new EventEmitter<ReplayEvent>();
  private readonly unmatchedEmitter = new EventEmitter<UnmatchedRequestError>();
  private readonly rules: RedactionRules;
  private readonly clock: Clock;
  private interceptor: BatchInterceptor<[ClientRequestInterceptor, FetchInterceptor]> | undefined;
  private unguard: (() => void) | undefined;
  private nextIndex: number;
  private sequence = 0;
  private stopping: Promise<void> | undefined;

  readonly onRecord = this.recordEmitter.event;
  readonly onReplay = this.replayEmitter.event;
  readonly onUnmatched = this.unmatchedEmitter.event;

  constructor(mode: RecordMode, testSet: string, testSetDir: string, loaded: Mock[], private readonly options: RecordingOptions) {
    this.mode = mode;
    this.testSet = testSet;
    this.testSetDir = testSetDir;
    this.rules = { keys: options.redactKeys ?? [], secrets: options.secrets ?? [] };
    this.clock = options.clock ?? systemClock;
    // Record mode starts the HTTP recordings afresh; mocks of other kinds are kept.
    this.loaded = mode === 'record' ? loaded.filter((mock) => !isHttpMock(mock)) : loaded;
    this.matcher = new MockMatcher(mode === 'record' ? [] : loaded.filter(isHttpMock), options.matchHeaders ?? []);
    this.nextIndex = nextMockIndex(this.loaded);
  }

  get recorded(): HttpMock[] {
    return [...this.newMocks].sort((left, right) => left.index - right.index).map((entry) => entry.mock);
  }

  get mocks(): Mock[] {
    return [...this.loaded, ...this.recorded];
  }

  start(): void {
    if (this.mode === 'off') return;
    const interceptor = new BatchInterceptor({
      name: 'tta-keploy-testing',
      interceptors: [new ClientRequestInterceptor(), new FetchInterceptor()],
    });
    interceptor.on('request', ({ request, requestId, controller }) => this.onRequest(request, requestId, controller));
    interceptor.on('response', ({ response, requestId, isMockedResponse }) => {
      if (!isMockedResponse) this.onResponse(response, requestId);
    });
    interceptor.apply();
    // Database mocks are kept but not replayed: a client connecting to where they were recorded must fail
    // loudly here rather than reach a real server (or hang on a missing one).
    if (this.mode === 'replay') {
      this.unguard = guardConnections(guardedTargets(this.loaded), (target, kind) => new UnreplayedConnectionError(target, kind, this.testSet));
    }
    // `import { request } from 'node:http'` binds the original function; make ESM named imports see the patch.
    syncBuiltinESMExports();
    this.interceptor = interceptor;
  }

  private async onRequest(
    request: Request,
    requestId: string,
    controller: { respondWith(response: Response): void; errorWith(reason?: unknown): void },
  ): Promise<void> {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    try {
      // Inside the try: a passthrough that throws rejects the request, rather than handing the app a
      // made-up 500 whose body is the stack trace.
      if (this.options.passthrough?.({ method, url }) === true) return;
      if (this.mode === 'record') {
        this.track(requestId, method, url, request, request.clone().text());
        return;
      }
      const body = await request.clone().text();
      const live: LiveRequest = { method, url, headers: request.headers, body };
      const mock = this.matcher.take(live);
      if (mock !== undefined) {
        controller.respondWith(toReplayResponse(mock.response, this.options.streamTiming ?? 'instant', this.clock));
        this.replayEmitter.emit({ mock, method, url: url.href });
        return;
      }
      if (this.mode === 'update') {
        this.track(requestId, method, url, request, Promise.resolve(body));
        return;
      }
      const error = new UnmatchedRequestError(method, url.href, this.testSet, this.matcher.hint(live));
      this.unmatched.push(error);
      this.unmatchedEmitter.emit(error);
      controller.errorWith(error);
    } catch (error) {
      controller.errorWith(error);
    }
  }

  private track(requestId: string, method: string, url: URL, request: Request, body: Promise<string>): void {
    this.pending.set(requestId, {
      index: this.sequence++,
      name: `mock-${this.nextIndex++}`,
      method,
      url: this.options.recordHost === false ? `${url.pathname}${url.search}` : url.href,
      headers: headersToRecord(request.headers, ignoredRequestHeaders),
      body: body.catch(() => ''),
      startedAt: this.clock.now(),
    });
  }

  private onResponse(response: Response, requestId: string): void {
    const exchange = this.pending.get(requestId);
    if (exchange === undefined) return;
    this.pending.delete(requestId);
    // Read the body in the background: the caller must get its response (and stream) without waiting for the end.
    const capture = captureBody(response.body, response.headers, this.clock);
    this.captures.add(capture);
    const done = Promise.all([exchange.body, capture.done]).then(([requestBody, captured]) => {
      this.captures.delete(capture);
      const mock = toRecordedMock(exchange, requestBody, response, captured, this.rules, this.clock.now());
      this.newMocks.push({ index: exchange.index, mock });
      if (this.mode === 'update') this.matcher.add(mock);
      this.recordEmitter.emit(mock);
    }).catch((error: unknown) => {
      this.captures.delete(capture);
      reportRecordingFailure('could not record', exchange.method, exchange.url, error, this.rules);
    });
    this.captureDone.add(done);
    void done.finally(() => this.captureDone.delete(done));
  }

  unusedMocks(): HttpMock[] {
    return this.matcher.unused();
  }

  assertAllUsed(): void {
    const unused = this.unusedMocks();
    if (unused.length > 0) throw new UnusedMocksError(this.testSet, unused.map((mock) => `${mock.name} (${mock.request.method} ${mock.request.url})`));
  }

  stop(): Promise<void> {
    this.stopping ??= this.finish();
    return this.stopping;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  private async finish(): Promise<void> {
    try {
      this.unguard?.();
      this.unguard = undefined;
      if (this.interceptor !== undefined) {
        this.interceptor.dispose();
        this.interceptor = undefined;
        syncBuiltinESMExports();
      }
      // Bodies already complete finish within a few turns; a stream still open at stop is kept as far as it got.
      for (let turn = 0; turn < 20 && this.captureDone.size > 0; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
      for (const capture of this.captures) capture.cancel();
      await Promise.allSettled([...this.captureDone]);
      if (this.mode === 'record' || (this.mode === 'update' && this.newMocks.length > 0)) await writeMocks(this.testSetDir, this.mocks);
    } finally {
      if (globalState[activeKey] === this.marker) delete globalState[activeKey];
    }
  }

  readonly marker = { testSet: '' };
}

/**
 * Starts intercepting outgoing HTTP (`fetch` and `node:http`/`https` clients) for one test set:
 * recording real exchanges, replaying them offline, or both (`update`). One session at a time.
 *
 * @throws TestSetNotFoundError in replay mode when the test set folder does not exist.
 * @throws RecordingInUseError while another session is active.
 *
 * @example
 * ```ts
 * const session = await startRecording({ dir: 'keploy', testSet: 'test-set-0', mode: 'replay' });
 * const response = await fetch('https://api.example.com/users/1'); // served from mocks.yaml
 * await session.stop();
 * ```
 */
export async function startRecording(options: RecordingOptions): Promise<RecordingSession> {
  if (options === null || typeof options !== 'object') throw new InvalidOptionsError('startRecording', 'options', 'must be an object');
  const testSetProblem = nameProblem(options.testSet);
  if (testSetProblem !== undefined) {
    throw new InvalidOptionsError('startRecording', 'testSet', `must be a folder name such as "test-set-0" (${JSON.stringify(options.testSet)}: ${testSetProblem})`);
  }
  const maxFileBytes = resolveMaxFileBytes('startRecording', options.maxFileBytes);
  const maxDocuments = resolveMaxDocuments('startRecording', options.maxDocuments);
  if (options.passthrough !== undefined && typeof options.passthrough !== 'function') {
    throw new InvalidOptionsError('startRecording', 'passthrough', 'must be a function');
  }
  if (options.streamTiming !== undefined && options.streamTiming !== 'instant' && options.streamTiming !== 'recorded') {
    throw new InvalidOptionsError('startRecording', 'streamTiming', 'must be "instant" or "recorded"');
  }
  const mode = resolveRecordMode(options.mode, options.env ?? process.env);
  const dir = resolve(options.dir ?? 'keploy');
  const testSetDir = pathInside(dir, options.testSet, 'test set');
  const active = globalState[activeKey];
  if (active !== undefined && mode !== 'off') throw new RecordingInUseError(active.testSet);
  let exists = false;
  try {
    exists = (await stat(testSetDir)).isDirectory();
  } catch {
    exists = false;
  }
  if (mode === 'replay' && !exists) throw new TestSetNotFoundError(options.testSet, dir, await listTestSets(dir));
  const loaded = mode === 'off' || !exists ? [] : await readMocks(testSetDir, { maxFileBytes, maxDocuments });
  const session = new Session(mode, options.testSet, testSetDir, loaded, options);
  if (mode !== 'off') {
    if (globalState[activeKey] !== undefined) throw new RecordingInUseError(globalState[activeKey].testSet);
    session.marker.testSet = options.testSet;
    globalState[activeKey] = session.marker;
    session.start();
  }
  return session;
}
