import { describe, expect, it } from 'vitest';
import { isNonRetryableByDefault, type TtaError, type TtaErrorCode } from '@tta/primitives';
import { FileTooLargeError } from './file-too-large-error.js';
import { InvalidNoiseError } from './invalid-noise-error.js';
import { KeployConfigError } from './keploy-config-error.js';
import { NoTestCasesError } from './no-test-cases-error.js';
import { UnreplayedConnectionError } from './unreplayed-connection-error.js';
import { PathOutsideFolderError } from './path-outside-folder-error.js';
import { RecordedResponseError } from './recorded-response-error.js';
import { RecordingInUseError } from './recording-in-use-error.js';
import { TestSetNotFoundError } from './test-set-not-found-error.js';
import { TooManyDocumentsError } from './too-many-documents-error.js';
import { UnmatchedRequestError } from './unmatched-request-error.js';
import { UnsafeNameError } from './unsafe-name-error.js';
import { UnusedMocksError } from './unused-mocks-error.js';

const cause = new Error('root cause');

describe('keploy-testing errors: code, retryable and the options object', () => {
  it.each([
    ['FileTooLargeError', new FileTooLargeError('mocks.yaml', 10, 5, { cause }), 'FILE_TOO_LARGE', false],
    ['PathOutsideFolderError', new PathOutsideFolderError('test set ".."', '/x', '/tests', { cause }), 'PATH_OUTSIDE_FOLDER', false],
    ['RecordedResponseError (503)', new RecordedResponseError(503, 'busy', 'mock-1', { cause }), 'RECORDED_RESPONSE_ERROR', true],
    ['RecordedResponseError (404)', new RecordedResponseError(404, 'missing', 'mock-2', { cause }), 'RECORDED_RESPONSE_ERROR', false],
    ['RecordingInUseError', new RecordingInUseError('set-1', { cause }), 'RECORDING_IN_USE', false],
    ['TestSetNotFoundError', new TestSetNotFoundError('set-9', 'keploy', ['set-1'], { cause }), 'TEST_SET_NOT_FOUND', false],
    ['TooManyDocumentsError', new TooManyDocumentsError('mocks.yaml', 10, { cause }), 'TOO_MANY_DOCUMENTS', false],
    ['UnmatchedRequestError', new UnmatchedRequestError('GET', 'https://api.test/x', 'set-1', '', { cause }), 'UNMATCHED_REQUEST', false],
    ['UnsafeNameError', new UnsafeNameError('test case', '..', 'a dot name', undefined, { cause }), 'UNSAFE_NAME', false],
    ['UnusedMocksError', new UnusedMocksError('set-1', ['mock-3'], { cause }), 'UNUSED_MOCKS', false],
  ] as const)('%s', (_, error: TtaError<TtaErrorCode>, code, retryable) => {
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(isNonRetryableByDefault(error)).toBe(!retryable);
    expect(error.cause).toBe(cause);
  });

  it.each([
    ['InvalidNoiseError', new InvalidNoiseError('keploy.yml', 'body.id', 'must be a list', { cause }), 'INVALID_NOISE', InvalidNoiseError.isInstance],
    ['KeployConfigError', new KeployConfigError('keploy.yml', 'test.compareAll', 'must be true or false', { cause }), 'INVALID_KEPLOY_CONFIG', KeployConfigError.isInstance],
    ['NoTestCasesError', new NoTestCasesError('/app/keploy', ['test-set-0'], { cause }), 'NO_TEST_CASES', NoTestCasesError.isInstance],
    ['UnreplayedConnectionError', new UnreplayedConnectionError('127.0.0.1:5432', 'Postgres', 'set-1', { cause }), 'UNREPLAYED_CONNECTION', UnreplayedConnectionError.isInstance],
  ] as const)('%s', (_, error: TtaError<string>, code, isInstance: (value: unknown) => boolean) => {
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(false);
    expect(error.cause).toBe(cause);
    expect(isInstance(error)).toBe(true);
    expect(isInstance(new Error(error.message))).toBe(false);
  });

  it('has every code in the core TtaErrorCode union, so a switch over TtaErrorCode covers them', () => {
    // Typed as TtaErrorCode: a code missing from the union fails the typecheck, not just this run.
    const codes: readonly TtaErrorCode[] = [
      new InvalidNoiseError('keploy.yml', 'body.id', 'must be a list').code,
      new KeployConfigError('keploy.yml', 'test.compareAll', 'must be true or false').code,
      new NoTestCasesError('/app/keploy', []).code,
      new UnreplayedConnectionError('127.0.0.1:5432', 'Postgres', 'set-1').code,
    ];
    expect(codes).toEqual(['INVALID_NOISE', 'INVALID_KEPLOY_CONFIG', 'NO_TEST_CASES', 'UNREPLAYED_CONNECTION']);
  });

  it('keeps the messages', () => {
    expect(new TestSetNotFoundError('set-9', 'keploy', ['set-1']).message).toBe('Test set "set-9" not found in keploy (available: set-1)');
    expect(new NoTestCasesError('/app/keploy', []).message).toBe(
      'No test cases found in /app/keploy (test sets read: none); point --dir at the keploy folder or at the app folder that holds it',
    );
    expect(new RecordingInUseError('set-1').message).toBe('A recording session for test set "set-1" is still active; stop() it before starting another');
  });
});
