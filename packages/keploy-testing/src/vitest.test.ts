import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UnmatchedRequestError } from './errors/unmatched-request-error.js';
import { useRecording } from './vitest.js';

const fixtures = fileURLToPath(new URL('../test/fixtures/ts-nhost/keploy', import.meta.url));

describe('useRecording', () => {
  const recording = useRecording({ dir: fixtures, testSet: 'test-set-1', mode: 'replay', env: {} });

  it('replays the set while the file runs', async () => {
    const body = JSON.stringify({ type: 'track_table', args: { schema: 'public', name: 'todos' } });
    const response = await fetch('http://hasura.test/v1/query', { method: 'POST', body });
    expect(await response.json()).toEqual({ message: 'success' });
    expect(recording.session.mode).toBe('replay');
    expect(recording.session.testSet).toBe('test-set-1');
  });

  it('refuses what is not recorded', async () => {
    await expect(fetch('http://hasura.test/v1/unknown')).rejects.toThrow(UnmatchedRequestError);
    expect(() => recording.assertAllUsed()).toThrow(/never used/);
  });
});
