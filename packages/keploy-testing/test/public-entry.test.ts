import { describe, expect, it } from 'vitest';
import * as keploy from '@tta/keploy-testing';

describe('@tta/keploy-testing public entry', () => {
  it('exports the documented files, recording and runner API, not the runner and record-mode internals', () => {
    const names = Object.keys(keploy);
    for (const internal of ['compareResponse', 'defaultVolatileHeaders', 'isRecordMode', 'resolveRecordMode', 'KEPLOY_VERSION', 'ZERO_TIMESTAMP']) {
      expect(names).not.toContain(internal);
    }
    for (const api of ['readTestSet', 'writeTestSet', 'startRecording', 'recordIncoming', 'runTestSet', 'UnmatchedRequestError']) {
      expect(names).toContain(api);
    }
  });
});
