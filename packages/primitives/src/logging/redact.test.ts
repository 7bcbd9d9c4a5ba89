import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { REDACTED, createJsonLogger, isSensitiveKey, redact, redactText } from '@tta/primitives/logging';

describe('redact', () => {
  it('replaces secret-looking keys at any depth and keeps the rest', () => {
    const input = {
      user: 'ann',
      password: 'hunter2',
      headers: { Authorization: 'Bearer abc.def.ghi', 'x-api-key': 'k-123', accept: 'json' },
      nested: [{ clientSecret: 's', promptTokens: 12, maxTokens: 100 }],
    };
    expect(redact(input)).toEqual({
      user: 'ann',
      password: REDACTED,
      headers: { Authorization: REDACTED, 'x-api-key': REDACTED, accept: 'json' },
      nested: [{ clientSecret: REDACTED, promptTokens: 12, maxTokens: 100 }],
    });
  });

  it('redacts credential-looking string values whatever their key', () => {
    expect(redact({ note: 'Bearer eyJhbGciOiJIUzI1NiJ9.x', key: 'sk-abcdefghijklmnop1234' })).toEqual({ note: REDACTED, key: REDACTED });
  });

  it('redacts credentials inside free text and keeps the rest', () => {
    expect(redactText('call failed with sk-abcdefghijklmnop1234 for Bearer abc.def.ghi today')).toBe(`call failed with ${REDACTED} for ${REDACTED} today`);
    expect(redact({ error: new Error('upstream refused key sk-abcdefghijklmnop1234') })).toEqual({ error: { name: 'Error', message: `upstream refused key ${REDACTED}` } });
  });

  it('redacts credentials in the message of a context log record', async () => {
    const { WorkflowContext } = await import('@tta/primitives');
    const messages: unknown[] = [];
    const sink = { debug: () => {}, info: () => {}, warn: () => {}, error: (_fields: object, message?: string) => messages.push(message) };
    WorkflowContext.create({ logger: sink }).logger.error({}, 'model call failed: sk-abcdefghijklmnop1234 rejected');
    expect(messages).toEqual([`model call failed: ${REDACTED} rejected`]);
  });

  it('never mutates its input and survives cycles', () => {
    const input: Record<string, unknown> = { token: 't', list: [1] };
    input['self'] = input;
    const output = redact(input) as Record<string, unknown>;
    expect(input['token']).toBe('t');
    expect(output['self']).toBe(output);
  });

  it('accepts extra keys, a custom replacement, and can replace the defaults', () => {
    expect(redact({ ssn: '1', password: 'p' }, { keys: ['ssn'], replacement: '***' })).toEqual({ ssn: '***', password: '***' });
    expect(redact({ ssn: '1', password: 'p' }, { keys: ['ssn'], replaceDefaults: true })).toEqual({ ssn: REDACTED, password: 'p' });
  });

  it('keeps error messages and names but redacts their secret fields', () => {
    const error = Object.assign(new Error('failed'), { apiKey: 'abc' });
    expect(redact({ error })).toEqual({ error: { name: 'Error', message: 'failed', apiKey: REDACTED } });
  });

  it('never lets a canary secret under a sensitive key through, for any object shape', () => {
    const canary = 'canary-secret-value';
    const sensitive = fc.constantFrom('password', 'apiKey', 'Authorization', 'cookie', 'refresh_token', 'clientSecret');
    const shape = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.integer(),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 6 }), tie('node'), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(shape, sensitive, (tree, key) => {
        const output = JSON.stringify(redact({ tree, wrapper: { [key]: canary } }));
        expect(output).not.toContain(canary);
      }),
    );
  });

  it('knows which keys are sensitive', () => {
    for (const key of ['password', 'PASSWORD', 'api_key', 'apiKey', 'set-cookie', 'githubToken', 'private_key']) expect(isSensitiveKey(key)).toBe(true);
    for (const key of ['promptTokens', 'tokens', 'user', 'model', 'keyword']) expect(isSensitiveKey(key)).toBe(false);
  });
});

describe('createJsonLogger', () => {
  it('writes one JSON object per line at or above the level', () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ level: 'info', write: (line) => lines.push(line), base: { service: 'api' } });
    logger.debug({ a: 1 }, 'hidden');
    logger.info({ a: 2, error: new Error('x') }, 'shown');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', service: 'api', a: 2, msg: 'shown', error: { message: 'x' } });
  });
});

describe('redact of credential-shaped keys', () => {
  it('hides a credential used as an object key or a Map key', () => {
    const openAiKey = 'sk-proj-Abc123Def456Ghi789Jkl012Mno345Pqr678';
    const copy = redact({ [openAiKey]: 1, nested: { 'postgres://app:S3cretPw@db/main': 'down' }, plain: 2 });
    expect(JSON.stringify(copy)).not.toContain('Abc123Def456');
    expect(JSON.stringify(copy)).not.toContain('S3cretPw');
    expect(copy).toMatchObject({ plain: 2, nested: { 'postgres://app:[REDACTED]@db/main': 'down' } });
    const map = redact(new Map([[openAiKey, 1]]));
    expect([...map.keys()].join()).not.toContain('Abc123Def456');
  });

  it('hides a credential key every time it is seen, and keeps ordinary keys as they are', () => {
    const openAiKey = 'sk-proj-Abc123Def456Ghi789Jkl012Mno345Pqr678';
    for (let round = 0; round < 3; round++) {
      expect(Object.keys(redact({ [openAiKey]: 1, promptTokens: 2 }))).toEqual([REDACTED, 'promptTokens']);
    }
  });

  it('hides credentials with an empty replacement too', () => {
    const text = 'postgres://app:S3cretPw@db/main password=hunter2x';
    expect(redactText(text, '')).toBe('postgres://app:@db/main password=');
  });
});

describe('redact of sparse arrays', () => {
  it('copies an array of the largest length by the elements it holds, keeping its holes', () => {
    const huge: unknown[] = ['sk-proj-Abc123Def456Ghi789Jkl012Mno345Pqr678'];
    huge.length = 2 ** 32 - 1;
    huge[5] = 'kept';
    const started = performance.now();
    const copy = redact({ huge }).huge;
    expect(performance.now() - started).toBeLessThan(500);
    expect(copy.length).toBe(2 ** 32 - 1);
    expect(copy[0]).toBe(REDACTED);
    expect(copy[5]).toBe('kept');
    expect(1 in copy).toBe(false);
  });
});

describe('redact of short password keys', () => {
  it('hides pass and pw as whole key names (SMTP and FTP client options) but not words ending in them', () => {
    expect(redact({ user: 'ann', pass: 'hunter2', pw: 'x1', PASS: 'y', bypass: 'cache', compass: 'north' })).toEqual({
      user: 'ann',
      pass: REDACTED,
      pw: REDACTED,
      PASS: REDACTED,
      bypass: 'cache',
      compass: 'north',
    });
  });
});
