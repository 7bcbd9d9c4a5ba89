import { rm } from 'node:fs/promises';
import { startSampleApp } from './app.js';
import { FAKE_UPSTREAM_API_KEY, startFakeUpstream } from './fake-upstream.js';

/** Drives the sample service with a few requests; each becomes a Keploy test case. */
export async function driveSampleTraffic(baseUrl: string): Promise<void> {
  await fetch(`${baseUrl}/health`).then((response) => response.text());
  await fetch(`${baseUrl}/users/1`).then((response) => response.text());
  await fetch(`${baseUrl}/users/42`).then((response) => response.text());
  await fetch(`${baseUrl}/greetings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sample-session-token-123456' },
    body: JSON.stringify({ userId: 1 }),
  }).then((response) => response.text());
}

/** Records `keploy/test-set-0` afresh against the fake upstream. */
export async function recordSampleSet(dir = 'keploy', testSet = 'test-set-0'): Promise<void> {
  await rm(`${dir}/${testSet}`, { recursive: true, force: true });
  const upstream = await startFakeUpstream();
  const app = await startSampleApp({ upstreamUrl: upstream.url, apiKey: FAKE_UPSTREAM_API_KEY, dir, testSet, mode: 'record', env: {} });
  try {
    await driveSampleTraffic(app.url);
  } finally {
    await app.close();
    await upstream.close();
  }
}

if (process.argv[1]?.endsWith('record.js') === true) {
  await recordSampleSet(process.env.KEPLOY_DIR ?? 'keploy', process.env.KEPLOY_TEST_SET ?? 'test-set-0');
  console.log('recorded keploy/test-set-0');
}
