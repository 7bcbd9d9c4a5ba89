import { describe, expect, it } from 'vitest';
import { REDACTED, isSecretLookingValue, isSensitiveKey, isSensitiveParameter, redactText, secretRules } from '@tta/primitives/logging';

// Deterministic filler in a credential's alphabet, so the table holds real-shaped values without real ones.
const alphabet = 'aB3dE5fG7hJ9kL2mN4pQ6rS8tU1vW0xYz';
const fill = (length: number, chars = alphabet): string => Array.from({ length }, (_, index) => chars[(index * 7 + 3) % chars.length]).join('');
const hex = (length: number): string => fill(length, '0123456789abcdef');
const upper = (length: number): string => fill(length, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567');
const letters = (length: number): string => fill(length, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ');

const pem = (kind: string): string => `-----BEGIN ${kind}PRIVATE KEY-----\n${fill(64)}\n${fill(64)}\n${fill(20)}==\n-----END ${kind}PRIVATE KEY-----`;
const jwt = `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkFkYSJ9.${fill(43)}`;

/** [shape, the secret value that must disappear, the text it is written in]. */
const secrets: Array<[string, string, string]> = [
  ['OpenAI project key', `sk-proj-${fill(48)}`, 'model call failed: key %s rejected'],
  ['short OpenAI-style live key', 'sk-live-4f9a2c7e1b', 'using %s for the call'],
  ['legacy OpenAI key', `sk-${fill(48)}`, 'OPENAI_API_KEY is %s'],
  ['Anthropic key', `sk-ant-api03-${fill(93)}AA`, 'x-api-key %s was refused'],
  ['Stripe live secret key', `sk_live_${fill(24)}`, 'stripe: invalid key %s'],
  ['Stripe restricted key', `rk_live_${fill(24)}`, 'restricted key %s expired'],
  ['Stripe webhook secret', `whsec_${fill(32)}`, 'signing with %s'],
  ['Google API key', `AIza${fill(35)}`, 'maps call with %s failed'],
  ['Google OAuth access token', `ya29.a0${fill(60)}`, 'gcloud said %s is invalid'],
  ['Google OAuth client secret', `GOCSPX-${fill(28)}`, 'client secret %s'],
  ['Slack bot token', `xoxb-1234567890123-1234567890123-${fill(24)}`, 'slack rejected %s'],
  ['Slack user token', `xoxp-1234567890123-1234567890123-1234567890123-${hex(32)}`, 'slack user %s'],
  ['Slack app token', `xapp-1-A0${upper(9)}-1234567890123-${hex(64)}`, 'socket mode with %s'],
  ['Slack webhook URL', `https://hooks.slack.com/services/T${upper(8)}/B${upper(8)}/${fill(24)}`, 'posting to %s failed'],
  ['GitHub personal access token', `ghp_${fill(36)}`, 'git push with %s denied'],
  ['GitHub OAuth token', `gho_${fill(36)}`, 'oauth %s'],
  ['GitHub user-to-server token', `ghu_${fill(36)}`, 'app token %s'],
  ['GitHub server-to-server token', `ghs_${fill(36)}`, 'installation %s'],
  ['GitHub refresh token', `ghr_${fill(76)}`, 'refresh %s'],
  ['GitHub fine-grained token', `github_pat_11${upper(20)}_${fill(59)}`, 'token %s lacks scope'],
  ['GitLab personal access token', `glpat-${fill(20)}`, 'gitlab %s'],
  ['Hugging Face token', `hf_${letters(34)}`, 'hub download with %s'],
  ['npm token', `npm_${fill(36)}`, '//registry.npmjs.org/:_authToken %s'],
  ['PyPI upload token', `pypi-AgEIcHlwaS5vcmc${fill(60)}`, 'twine used %s'],
  ['AWS access key id', `AKIA${upper(16)}`, 'aws id %s'],
  ['Telegram bot token in an API URL', `123456789:AA${fill(33)}`, 'POST https://api.telegram.org/bot%s/sendMessage failed'],
  ['Mailgun private key', `key-${hex(32)}`, 'mailgun auth with %s failed'],
  ['AWS STS temporary key id', `ASIA${upper(16)}`, 'sts id %s'],
  ['AWS secret access key (env)', `wJalrXUtnFEMI/K7MDENG/${fill(18)}`, 'AWS_SECRET_ACCESS_KEY=%s'],
  ['AWS secret access key (JSON)', `${fill(30)}/+${fill(8)}`, '{"accessKeyId":"AKID","secretAccessKey":"%s"}'],
  ['JWT', jwt, 'session %s expired'],
  ['RSA private key', pem('RSA '), 'key file: %s'],
  ['OpenSSH private key', pem('OPENSSH '), '%s'],
  ['PKCS8 private key in JSON', pem('').replaceAll('\n', '\\n'), '{"private_key":"%s"}'],
  ['DSN password', 'Tr0ub4dor-3', 'connect postgres://app:%s@db.internal:5432/main failed'],
  ['Redis URL password', 's3cr3t-redis', 'redis://:%s@cache:6379/0 refused'],
  ['password in a scheme-relative URL inside a path', 'Winter2024-db', 'GET http://h//admin:%s@db/x failed'],
  ['password in a scheme-relative URL in a query', 'Winter2024-q', 'redirect to ?next=//admin:%s@db/x'],
  ['password pair in text', 'hunter2-pw', 'user=ada&password=%s&remember=1'],
  ['pwd field in JSON text', 'p@ss w0rd', '{"user":"ada","pwd":"%s"}'],
  ['secret pair', 'S3cr3tV4lue', 'config: secret=%s loaded'],
  ['auth user:pass pair', 'ada:opensesame', 'proxy auth: "%s" refused'],
  ['Bearer token', `abc.${fill(30)}`, 'Authorization: Bearer %s'],
  ['Basic credentials', 'dXNlcjpwYXNzd29yZA==', 'Authorization: Basic %s'],
  ['SendGrid key', `SG.${fill(22)}.${fill(43)}`, 'mail %s'],
  ['Shopify token', `shpat_${hex(32)}`, 'shop %s'],
  ['DigitalOcean token', `dop_v1_${hex(64)}`, 'doctl %s'],
  ['Google key as ?key= query value', `AIza${fill(35)}`, 'GET https://maps.googleapis.com/maps/api/geocode/json?address=x&key=%s failed'],
  ['OAuth ?code= value', `4/0Ad${fill(40)}`, 'callback https://app.test/cb?code=%s&state=xyz'],
];

const ordinary: string[] = [
  '5f2c9a1e-8d4b-4c2a-9e1f-3b7d6a8c0e12',
  'order 5f2c9a1e-8d4b-4c2a-9e1f-3b7d6a8c0e12 shipped',
  'https://github.com/acme/app/commit/9fceb02d0ae598e95dc970b74767f19372d61af8',
  'https://cdn.example.com/assets/app.3f2a9c8e1b7d4f60.js',
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '2026-12-07T14:35:18.123Z',
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'data:image/jpeg;base64,/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQE',
  'The token expired, please sign in again.',
  'Reset your password from the account settings page.',
  'Basic plan includes three seats',
  'Bearer tokens are described in RFC 6750',
  'promptTokens=12 completionTokens=30 maxTokens=256',
  'authorName: Ada Lovelace',
  'scikit-learn (sk-learn) 1.5 installed',
  'task-1234 moved to done',
  'GET https://api.example.com/v1/users/42?page=2&sort=desc failed: ECONNRESET',
  '{"code":"E_TIMEOUT","message":"deadline exceeded"}',
  'cache key user:42:profile missed',
  'retrying in 250ms (attempt 2 of 4)',
  'Error: connect ECONNREFUSED 127.0.0.1:5432',
  'postgres://db.internal:5432/main',
  'https://ada@example.com/profile',
  'model gpt-4o-mini returned 429 Too Many Requests',
  'x-request-id: 01HF8Z6Q4X2B3C4D5E6F7G8H9J',
  'AKIA is the prefix of AWS access key ids',
  'ghost_writer_enabled=true',
  'Password: must be at least 12 characters',
  'auth: disabled for health checks',
  'the secret sauce is patience',
  '127.0.0.1 - - [07/Dec/2026:14:35:18 +0000] "GET /health HTTP/1.1" 200',
  'npm_config_cache=/tmp/npm',
  'hf_transfer enabled for downloads',
  'git describe: v1.2.3-14-g9fceb02',
  'std::vector<int> token::value',
  'flags: requiresAuth=true, {"auth":false,"token":null}',
];

describe('secret patterns', () => {
  it.each(secrets)('hides a %s and keeps the text around it', (_shape, secret, template) => {
    const text = template.replace('%s', secret);
    const redacted = redactText(text);
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain(REDACTED);
    expect(isSecretLookingValue(text)).toBe(true);
    // The words before the secret survive.
    const before = template.slice(0, template.indexOf('%s')).split(/[\s=:"]/).find((word) => word.length >= 4 && !/auth|key|secret|pass|pwd|token|bearer|basic/i.test(word));
    if (before !== undefined) expect(redacted).toContain(before);
  });

  it('holds at least 30 secrets and 30 ordinary strings', () => {
    expect(secrets.length).toBeGreaterThanOrEqual(30);
    expect(ordinary.length).toBeGreaterThanOrEqual(30);
  });

  it.each(ordinary.map((text) => [text]))('leaves an ordinary string unchanged: %s', (text) => {
    expect(redactText(text)).toBe(text);
    expect(isSecretLookingValue(text)).toBe(false);
  });

  it('finds a key glued to a name by an underscore, and not inside a longer word', () => {
    const openAi = `sk-proj-${fill(40)}`;
    const aws = `AKIA${upper(16)}`;
    expect(redactText(`OPENAI_KEY_${openAi} was refused`)).toBe(`OPENAI_KEY_${REDACTED} was refused`);
    expect(redactText(`id=${aws}_prod`)).toBe(`id=${REDACTED}_prod`);
    expect(redactText(`token_ghp_${letters(36)}`)).toBe(`token_${REDACTED}`);
    expect(redactText(`X_sk_live_${fill(24)}`)).toBe(`X_${REDACTED}`);
    expect(redactText(`KEY_AIza${fill(35)}`)).toBe(`KEY_${REDACTED}`);
    expect(redactText(`tok_xoxb-1234567890-${fill(20)}`)).toBe(`tok_${REDACTED}`);
    expect(redactText(`h_${jwt}`)).toBe(`h_${REDACTED}`);
    // Letters or digits before the prefix make it part of another word.
    expect(redactText('tasks-for-the-week-2024 are done')).toBe('tasks-for-the-week-2024 are done');
    expect(redactText(`risk-assessment-2024-${fill(20)}`)).toBe(`risk-assessment-2024-${fill(20)}`);
  });

  it('uses a custom replacement and does not redact its own output again', () => {
    const once = redactText('password=hunter2 and sk_live_abcdefghijklmnop1234', '***');
    expect(once).toBe('password=*** and ***');
    expect(redactText(redactText('password=hunter2'))).toBe(`password=${REDACTED}`);
  });

  it('knows the credential key names and leaves counters and names alone', () => {
    for (const key of ['pwd', 'auth', 'x-custom-auth', 'dsn', 'sentryDsn', 'secretAccessKey', 'AWS_SECRET_ACCESS_KEY', 'proxy-authorization', 'x-amz-security-token', 'jwt']) {
      expect(isSensitiveKey(key), key).toBe(true);
    }
    for (const key of ['promptTokens', 'maxTokens', 'authorName', 'author', 'keyword', 'code', 'key', 'accessKeyId', 'passCount']) {
      expect(isSensitiveKey(key), key).toBe(false);
    }
    for (const name of ['key', 'code', 'sig', 'password', 'X-Amz-Credential']) expect(isSensitiveParameter(name), name).toBe(true);
    expect(isSensitiveParameter('page')).toBe(false);
  });

  it('every rule finishes a 100 KB hostile input within a bound', () => {
    const hostile = [
      'a'.repeat(100_000),
      '-'.repeat(100_000),
      `-----BEGIN PRIVATE KEY-----${'-'.repeat(100_000)}`,
      '-----BEGIN PRIVATE KEY-----'.repeat(4_000),
      'eyJ'.repeat(34_000),
      `eyJ${'a'.repeat(50_000)}.eyJ${'-'.repeat(50_000)}`,
      'password='.repeat(11_000),
      `password:${' '.repeat(100_000)}`,
      `"password":"${'x'.repeat(100_000)}`,
      'a://'.repeat(25_000),
      `postgres://${'u'.repeat(50_000)}:${'p'.repeat(50_000)}`,
      '?key='.repeat(20_000),
      '//a:'.repeat(25_000),
      `//${'u'.repeat(50_000)}:${'p'.repeat(50_000)}`,
      'Bearer '.repeat(15_000),
      'sk-'.repeat(34_000),
      'xoxb-'.repeat(20_000),
      `${'0'.repeat(3)}1Q~`.repeat(15_000),
      'token: x'.repeat(12_000),
    ];
    for (const text of hostile) {
      const started = performance.now();
      redactText(text);
      const elapsedMs = performance.now() - started;
      expect(elapsedMs, text.slice(0, 30)).toBeLessThan(250);
    }
  });

  it('every rule is a global regular expression with a stable id', () => {
    const ids = new Set<string>();
    for (const rule of secretRules) {
      expect(rule.pattern.global, rule.id).toBe(true);
      expect(ids.has(rule.id), rule.id).toBe(false);
      ids.add(rule.id);
    }
  });
});
