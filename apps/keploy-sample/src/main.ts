import { startSampleApp } from './app.js';

// Plain start: `TTA_RECORD_MODE=record UPSTREAM_URL=... UPSTREAM_API_KEY=... node dist/main.js`, then
// `TTA_RECORD_MODE=replay node dist/main.js` and `tta-keploy test --dir keploy --base-url <printed url>`.
const app = await startSampleApp({
  upstreamUrl: process.env.UPSTREAM_URL ?? 'http://127.0.0.1:4010',
  apiKey: process.env.UPSTREAM_API_KEY ?? '',
  port: Number(process.env.PORT ?? 3000),
  dir: process.env.KEPLOY_DIR ?? 'keploy',
  testSet: process.env.KEPLOY_TEST_SET ?? 'test-set-0',
  ...(process.env.SAMPLE_GREETING === undefined ? {} : { greeting: process.env.SAMPLE_GREETING }),
});
console.log(`keploy-sample listening on ${app.url} (recording mode: ${app.session.mode})`);
const shutdown = (): void => {
  app.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
