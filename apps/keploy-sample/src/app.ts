import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { recordIncoming, startRecording, type RecordMode, type RecordingSession } from '@tta/keploy-testing';
import { createSampleHandler, type SampleServiceOptions } from './service.js';

/** Options of {@link startSampleApp}. */
export interface SampleAppOptions extends SampleServiceOptions {
  /**
   * Port to listen on (0 picks a free one).
   * @default 0
   */
  readonly port?: number;
  /**
   * Keploy folder for recordings.
   * @default 'keploy'
   */
  readonly dir?: string;
  /**
   * Test set recorded into or replayed from.
   * @default 'test-set-0'
   */
  readonly testSet?: string;
  /**
   * `record`: write incoming test cases and outgoing mocks; `replay`: answer upstream calls from the
   * mocks; `off`: plain service. `TTA_RECORD_MODE` overrides it.
   * @default 'off'
   */
  readonly mode?: RecordMode;
  /**
   * Environment read for `TTA_RECORD_MODE`.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A running sample app. */
export interface SampleApp {
  readonly url: string;
  readonly session: RecordingSession;
  /** Stops the server, then the recording session (which writes the files in record mode). */
  close(): Promise<void>;
}

/** Starts the sample service on 127.0.0.1 with recording or replay of its traffic wired in. */
export async function startSampleApp(options: SampleAppOptions): Promise<SampleApp> {
  const dir = options.dir ?? 'keploy';
  const testSet = options.testSet ?? 'test-set-0';
  let origin = '';
  const session = await startRecording({
    dir,
    testSet,
    mode: options.mode ?? 'off',
    env: options.env ?? process.env,
    // Upstream URLs are written without host, so the set replays whatever port the upstream had.
    recordHost: false,
    secrets: [options.apiKey],
    // Requests into this service made from the same process (tests) are not upstream calls.
    passthrough: ({ url }) => url.origin === origin,
  });
  const recorder = recordIncoming({ dir, testSet, enabled: session.mode === 'record', noise: { 'body.createdAt': [] } });
  const server: Server = createServer(recorder.wrap(createSampleHandler(options)));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: origin,
    session,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await recorder.flush();
      await session.stop();
    },
  };
}
