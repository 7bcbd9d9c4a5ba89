// Secrets from an outside attack (issue #13, items 3, 4 and 17): credentials an attacker or a careless
// caller puts in requests, headers and error messages never reach a Keploy file, an exported span, a
// span status, a retry event or a metric label. Everything is scanned as what really leaves the process:
// the YAML on disk, the OTLP/HTTP export bodies and the Prometheus text.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkflowContext, fallback, retry, step } from '@tta/primitives';
import { createJsonLogger } from '@tta/primitives/logging';
import { getObservabilityStatus, initializeObservability, shutdownObservability } from '@tta/observability';
import { startRecording } from '@tta/keploy-testing';
import { record } from './figures.js';
import { startCaptureServer } from './support/capture-server.js';

// Deterministic, real-shaped values (never real credentials); each is unique, so a hit names its shape.
const alphabet = 'aB3dE5fG7hJ9kL2mN4pQ6rS8tU1vW0xYz';
const fill = (length: number, seed: number, chars = alphabet): string => Array.from({ length }, (_, index) => chars[(index * 7 + seed) % chars.length]).join('');
const hex = (length: number, seed: number): string => fill(length, seed, '0123456789abcdef');
const upper = (length: number, seed: number): string => fill(length, seed, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567');
const letters = (length: number, seed: number): string => fill(length, seed, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ');

/** Item 3: the shapes that were written in clear to the YAML. */
const recordingSecrets = {
  multipartPassword: `mp-${fill(14, 1)}`,
  textPlainPassword: `tp-${fill(14, 2)}`,
  googleKeyInQuery: `AIza${fill(35, 3)}`,
  oauthCodeInQuery: `4/0Ad${fill(30, 4)}`,
  customAuthHeader: `ca-${fill(20, 5)}`,
  jsonPwd: `pw-${fill(14, 6)}`,
  dsnPassword: `dsn${fill(14, 7)}`,
  jwt: `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhdHRhY2tlciIsImlhdCI6MTcwMDAwMDAwMH0.${fill(43, 8)}`,
};

/** Item 4: the shapes `redactText` used to miss, as an upstream echoes them in an error message. */
const messageSecrets = {
  shortOpenAiKey: 'sk-live-4f9a2c7e1b',
  stripeLive: `sk_live_${fill(24, 9)}`,
  stripeRestricted: `rk_live_${fill(24, 10)}`,
  googleKey: `AIza${fill(35, 11)}`,
  slackBot: `xoxb-1234567890123-1234567890123-${fill(24, 12)}`,
  slackUser: `xoxp-1234567890123-1234567890123-1234567890123-${hex(32, 13)}`,
  jwt: `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzcGFuLXRlc3QifQ.${fill(40, 14)}`,
  passwordPair: `pp-${fill(12, 15)}`,
  urlPassword: `up-${fill(12, 16)}`,
  pemBody: fill(64, 17),
};

/** Item 17: more credential shapes. */
const moreSecrets = {
  awsSecretAccessKey: `wJalrXUtnFEMI/K7MDENG/${fill(18, 18)}`,
  awsSecretInJson: `${fill(30, 19)}/+${fill(8, 20)}`,
  stsKeyId: `ASIA${upper(16, 21)}`,
  githubUser: `ghu_${fill(36, 22)}`,
  githubRefresh: `ghr_${fill(36, 23)}`,
  gitlab: `glpat-${fill(20, 24)}`,
  huggingFace: `hf_${letters(34, 25)}`,
  npm: `npm_${fill(36, 26)}`,
  googleOauth: `ya29.a0${fill(60, 27)}`,
  authPair: `ada:${fill(14, 28)}`,
};

const upstreamMessage = (): string =>
  [
    `upstream refused ${messageSecrets.shortOpenAiKey}, ${messageSecrets.stripeLive}, ${messageSecrets.stripeRestricted}`,
    `key ${messageSecrets.googleKey}, slack ${messageSecrets.slackBot} ${messageSecrets.slackUser}, session ${messageSecrets.jwt}`,
    `login password=${messageSecrets.passwordPair} via postgres://app:${messageSecrets.urlPassword}@db.internal:5432/main`,
    `-----BEGIN RSA PRIVATE KEY-----\n${messageSecrets.pemBody}\n-----END RSA PRIVATE KEY-----`,
    `AWS_SECRET_ACCESS_KEY=${moreSecrets.awsSecretAccessKey} {"secretAccessKey":"${moreSecrets.awsSecretInJson}"} ${moreSecrets.stsKeyId}`,
    `${moreSecrets.githubUser} ${moreSecrets.githubRefresh} ${moreSecrets.gitlab} ${moreSecrets.huggingFace} ${moreSecrets.npm} ${moreSecrets.googleOauth} auth: "${moreSecrets.authPair}"`,
  ].join('\n');

/** Every planted value found in `text`, by name. */
const leaksIn = (text: string, secrets: Record<string, string>): string[] => Object.entries(secrets).filter(([, value]) => text.includes(value)).map(([name]) => name);

const leakCounts: Record<string, number> = {};
afterAll(() => {
  const total = Object.values(leakCounts).reduce((sum, count) => sum + count, 0);
  record('attackSecretLeaks', total);
  record('attackSecretShapes', Object.keys({ ...recordingSecrets, ...messageSecrets, ...moreSecrets }).length);
});

describe('secrets from an outside attack', () => {
  it('keeps every item-3 shape out of the Keploy YAML written by startRecording', async () => {
    const upstream = await startCaptureServer((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'x-custom-auth': recordingSecrets.customAuthHeader }).end(JSON.stringify({ ok: true, session: recordingSecrets.jwt, city: 'paris' }));
    });
    const dir = mkdtempSync(join(tmpdir(), 'tta-attack-secrets-'));
    try {
      const session = await startRecording({ dir, testSet: 'attack', mode: 'record', env: {} });
      const form = new FormData();
      form.set('user', 'ada');
      form.set('password', recordingSecrets.multipartPassword);
      const calls: Array<[string, RequestInit]> = [
        ['/login-multipart', { method: 'POST', body: form }],
        ['/login-text', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: `user=ada&password=${recordingSecrets.textPlainPassword}` }],
        [`/geocode?q=paris&key=${recordingSecrets.googleKeyInQuery}`, { method: 'GET' }],
        [`/oauth/callback?code=${encodeURIComponent(recordingSecrets.oauthCodeInQuery)}&state=xyz`, { method: 'GET' }],
        ['/custom', { method: 'GET', headers: { 'x-custom-auth': recordingSecrets.customAuthHeader, 'x-session': recordingSecrets.jwt } }],
        ['/json', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'ada', pwd: recordingSecrets.jsonPwd, db: `postgres://app:${recordingSecrets.dsnPassword}@db.internal:5432/main` }) }],
        ['/dsn', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: `connect to postgres://app:${recordingSecrets.dsnPassword}@db.internal/main with ${recordingSecrets.jwt}` }],
      ];
      for (const [path, init] of calls) {
        const response = await fetch(`${upstream.url}${path}`, init);
        expect(response.status).toBe(200);
        await response.text();
      }
      await session.stop();

      // The secrets really went out: only what is written must be scrubbed.
      expect(leaksIn(JSON.stringify(upstream.requests), recordingSecrets).length).toBeGreaterThanOrEqual(7);
      const files = (readdirSync(dir, { recursive: true }) as string[]).filter((file) => file.endsWith('.yaml'));
      expect(files.length).toBeGreaterThan(0);
      const yaml = files.map((file) => readFileSync(join(dir, file), 'utf8')).join('\n');
      expect(yaml).toContain('/login-multipart');
      expect(yaml).toContain('q=paris');
      expect(yaml).toContain('ada');
      const leaks = leaksIn(yaml, recordingSecrets);
      leakCounts['recordings'] = leaks.length;
      expect(leaks).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await upstream.close();
    }
  });

  it('keeps item-4 and item-17 shapes out of exported span events, span statuses, retry events and metric labels', async () => {
    const collector = await startCaptureServer();
    try {
      const started = await initializeObservability({ serviceName: 'attack-secrets', otlpEndpoint: collector.url, metricsPort: 0, exportTimeoutMs: 5_000 });
      expect(started).toBe(true);
      const context = WorkflowContext.create({ logger: createJsonLogger({ write: () => {} }) });
      const failing = step('call-upstream', () => {
        throw new Error(upstreamMessage());
      });
      await expect(retry(failing, { maxAttempts: 2, initialDelayMs: 0, jitter: 'none' }).execute(context, 'x')).rejects.toThrow('upstream refused');
      await expect(fallback(step('primary-upstream', () => { throw new Error(upstreamMessage()); }), [step('backup-upstream', () => { throw new Error(upstreamMessage()); })]).execute(context, 'x')).rejects.toThrow();
      // A step named after a short key, as a careless caller might: the metric label and span name must not carry it.
      await step(messageSecrets.shortOpenAiKey, () => 'ok').execute(context, 'x');
      const metrics = await (await fetch(getObservabilityStatus().metricsUrl!)).text();
      await shutdownObservability();

      const spans = collector.requests.filter((request) => request.url.endsWith('/v1/traces')).map((request) => request.body).join('\n');
      // The export holds the failures, their exception and retry events, with the messages replaced whole.
      for (const expected of ['call-upstream', 'retry', 'give-up', 'exception', 'tta.error.message', '[REDACTED]']) expect(spans).toContain(expected);
      expect(metrics).toContain('tta_primitive_executions_total');
      const secrets = { ...messageSecrets, ...moreSecrets };
      const spanLeaks = leaksIn(spans, secrets);
      const metricLeaks = leaksIn(metrics, secrets);
      leakCounts['spans'] = spanLeaks.length;
      leakCounts['metrics'] = metricLeaks.length;
      expect(spanLeaks).toEqual([]);
      expect(metricLeaks).toEqual([]);
    } finally {
      await shutdownObservability();
      await collector.close();
    }
  });

  it('keeps item-17 shapes out of log lines and JSON recordings', async () => {
    const lines: string[] = [];
    const context = WorkflowContext.create({ logger: createJsonLogger({ write: (line) => lines.push(line) }) });
    context.logger.error({ error: new Error(upstreamMessage()), config: { secretAccessKey: moreSecrets.awsSecretAccessKey, auth: moreSecrets.authPair, promptTokens: 12 } }, `failed: ${upstreamMessage()}`);
    const logText = lines.join('\n');
    expect(logText).toContain('promptTokens');
    const logLeaks = leaksIn(logText, { ...messageSecrets, ...moreSecrets });
    leakCounts['logs'] = logLeaks.length;
    expect(logLeaks).toEqual([]);

    const upstream = await startCaptureServer();
    const dir = mkdtempSync(join(tmpdir(), 'tta-attack-secrets-'));
    try {
      const session = await startRecording({ dir, testSet: 'more-shapes', mode: 'record', env: {} });
      await (await fetch(`${upstream.url}/v1/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ note: upstreamMessage(), secretAccessKey: moreSecrets.awsSecretAccessKey, auth: moreSecrets.authPair, maxTokens: 256 }) })).text();
      await session.stop();
      const yaml = (readdirSync(dir, { recursive: true }) as string[]).filter((file) => file.endsWith('.yaml')).map((file) => readFileSync(join(dir, file), 'utf8')).join('\n');
      expect(yaml).toContain('maxTokens');
      const leaks = leaksIn(yaml, { ...messageSecrets, ...moreSecrets });
      leakCounts['more-shape recordings'] = leaks.length;
      expect(leaks).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await upstream.close();
    }
  });

  it('records a JSON body nested 50,000 deep without crashing the redaction', async () => {
    const upstream = await startCaptureServer();
    const dir = mkdtempSync(join(tmpdir(), 'tta-attack-secrets-'));
    try {
      const session = await startRecording({ dir, testSet: 'deep-json', mode: 'record', env: {} });
      const deep = `${'['.repeat(50_000)}"password=${recordingSecrets.jsonPwd}"${']'.repeat(50_000)}`;
      await (await fetch(`${upstream.url}/deep`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: deep })).text();
      await session.stop();
      expect(session.recorded).toHaveLength(1);
      const yaml = (readdirSync(dir, { recursive: true }) as string[]).filter((file) => file.endsWith('.yaml')).map((file) => readFileSync(join(dir, file), 'utf8')).join('\n');
      expect(yaml).toContain('/deep');
      expect(yaml).not.toContain(recordingSecrets.jsonPwd);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await upstream.close();
    }
  });
});
