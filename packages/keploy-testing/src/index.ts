// Files: Keploy's test set layout
export { readTestSet, writeTestSet, listTestSets, readMocks, readTests, writeMocks, writeTest } from './test-set-files.js';
export type { ReadOptions } from './test-set-files.js';
export { DEFAULT_MAX_FILE_BYTES } from './files/read-capped-file.js';
export { DEFAULT_MAX_DOCUMENTS } from './files/max-documents.js';
export { parseMocksYaml, stringifyMocks } from './format/keploy-yaml.js';
export { toCurl } from './format/curl.js';
export { isHttpMock, isHttpTestCase } from './model.js';
export type {
  TestSet, Mock, HttpMock, OtherMock, TestCase, HttpTestCase, OtherTestCase, RecordedRequest, RecordedResponse, StreamChunk, Noise,
} from './model.js';

// Outgoing traffic: record / replay / update / off
export { startRecording } from './recording/recording-session.js';
export type { RecordingOptions, RecordingSession, ReplayEvent } from './recording/recording-session.js';
export type { RecordMode } from './recording/record-mode.js';
export type { StreamTiming } from './recording/replay-response.js';

// Incoming traffic: test cases and the runner
export { recordIncoming } from './recording/record-incoming.js';
export type { RecordIncomingOptions, IncomingRecorder } from './recording/record-incoming.js';
export { runTestSet, runTestSets } from './runner/run-test-set.js';
export type { RunTestSetOptions, RunTestSetsOptions, TestSetResult, TestCaseResult } from './runner/run-test-set.js';
export type { Difference, ActualResponse, CompareOptions } from './runner/compare-response.js';
export { readKeployConfig, DEFAULT_KEPLOY_CONFIG } from './config/keploy-config.js';
export type { KeployConfig, ConfigNoise } from './config/keploy-config.js';
export { NOISE_PRESETS } from './runner/noise-presets.js';
export type { NoisePreset, NoisePresetName } from './runner/noise-presets.js';
export { recordedTimeClock } from './runner/recorded-time-clock.js';
export type { RecordedTimeClock } from './runner/recorded-time-clock.js';
export { formatTestSetResult } from './runner/format-result.js';
export type { FormatOptions } from './runner/format-result.js';

// Workflow tests
export { mockPrimitiveFromRecordings } from './mock-primitive-from-recordings.js';
export type { MockPrimitiveFromRecordingsOptions } from './mock-primitive-from-recordings.js';

// Errors
export { UnmatchedRequestError } from './errors/unmatched-request-error.js';
export { TestSetNotFoundError } from './errors/test-set-not-found-error.js';
export { UnusedMocksError } from './errors/unused-mocks-error.js';
export { RecordingInUseError } from './errors/recording-in-use-error.js';
export { RecordedResponseError } from './errors/recorded-response-error.js';
export { UnsafeNameError } from './errors/unsafe-name-error.js';
export { FileTooLargeError } from './errors/file-too-large-error.js';
export { TooManyDocumentsError } from './errors/too-many-documents-error.js';
export { PathOutsideFolderError } from './errors/path-outside-folder-error.js';
export { InvalidNoiseError } from './errors/invalid-noise-error.js';
export { NoTestCasesError } from './errors/no-test-cases-error.js';
export { UnreplayedConnectionError } from './errors/unreplayed-connection-error.js';
export { KeployConfigError } from './errors/keploy-config-error.js';
