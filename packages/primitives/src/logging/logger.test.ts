import { describe, expect, it } from 'vitest';
import { bindLogger, createJsonLogger, type LogFields, type LogStream } from './logger.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';

/** Fields that attack the logger: a throwing getter, a revoked proxy, a cycle, a bigint. */
function hostileFields(): LogFields {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const cycle: Record<string, unknown> = { name: 'loop' };
  cycle.self = cycle;
  return {
    kept: 'yes',
    get broken(): unknown {
      throw new Error('getter exploded');
    },
    proxy: revoked.proxy,
    nested: { cycle, count: 10n },
  };
}

describe('createJsonLogger', () => {
  it('writes a line with placeholders for a throwing getter, a revoked proxy and a cycle, keeping the other fields', () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ write: (line) => lines.push(line), base: { service: 'api' } });
    expect(() => logger.info(hostileFields(), 'hostile')).not.toThrow();
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'info',
      service: 'api',
      msg: 'hostile',
      kept: 'yes',
      broken: '[Unreadable]',
      proxy: '[Unreadable]',
      nested: { cycle: { name: 'loop', self: '[Circular]' }, count: '10' },
    });
  });

  it('writes a line when the fields object itself is a revoked proxy', () => {
    const lines: string[] = [];
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    createJsonLogger({ write: (line) => lines.push(line) }).warn(revoked.proxy as LogFields, 'still here');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', msg: 'still here', fields: '[Unreadable]' });
  });

  it('keeps a value seen twice that is not a cycle', () => {
    const lines: string[] = [];
    const shared = { id: 1 };
    createJsonLogger({ write: (line) => lines.push(line) }).info({ a: shared, b: shared });
    expect(JSON.parse(lines[0]!)).toMatchObject({ a: { id: 1 }, b: { id: 1 } });
  });

  it('drops and counts a line whose write throws, and never throws itself', () => {
    let calls = 0;
    const logger = createJsonLogger({
      write: () => {
        calls++;
        throw new Error('disk full');
      },
    });
    expect(() => logger.info({ a: 1 })).not.toThrow();
    expect(() => logger.error({ a: 2 })).not.toThrow();
    logger.debug({ below: 'the level' });
    expect(calls).toBe(2);
    expect(logger.droppedLines).toBe(2);
  });

  it('writes newline-terminated lines to a stream and counts the lines the stream reports as failed', () => {
    const chunks: string[] = [];
    const errorListeners: Array<(error: Error) => void> = [];
    let failNext = false;
    const stream: LogStream = {
      write(chunk, callback) {
        chunks.push(chunk);
        callback?.(failNext ? new Error('EPIPE') : null);
        return true;
      },
      on(_event, listener) {
        errorListeners.push(listener);
      },
    };
    const logger = createJsonLogger({ stream });
    const second = createJsonLogger({ stream });
    expect(errorListeners).toHaveLength(1);
    logger.info({ a: 1 });
    expect(chunks[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(chunks[0]!)).toMatchObject({ a: 1 });
    failNext = true;
    logger.info({ a: 2 });
    expect(logger.droppedLines).toBe(1);
    // Once the stream failed, later lines are dropped without writing, by every logger on it.
    logger.info({ a: 3 });
    second.info({ a: 4 });
    expect(chunks).toHaveLength(2);
    expect(logger.droppedLines).toBe(2);
    expect(second.droppedLines).toBe(1);
  });

  it("handles the stream's 'error' event so that it cannot take the process down", () => {
    const errorListeners: Array<(error: Error) => void> = [];
    const stream: LogStream = { write: () => true, on: (_event, listener) => errorListeners.push(listener) };
    const logger = createJsonLogger({ stream });
    errorListeners[0]!(new Error('EPIPE'));
    logger.info({ after: 'the error' });
    expect(logger.droppedLines).toBe(1);
  });

  it('refuses both write and stream, or a stream without write, at creation', () => {
    expect(() => createJsonLogger({ write: () => {}, stream: { write: () => true } })).toThrow(InvalidOptionsError);
    expect(() => createJsonLogger({ stream: {} as LogStream })).toThrow(InvalidOptionsError);
  });
});

describe('bindLogger', () => {
  it('passes redacted hostile fields on and never throws, even when the sink throws', () => {
    const received: LogFields[] = [];
    const sink = { debug: () => {}, info: (fields: LogFields) => received.push(fields), warn: () => {}, error: () => { throw new Error('sink down'); } };
    const bound = bindLogger(sink, { correlationId: 'run-1' });
    const fields = Object.defineProperty(hostileFields(), 'password', { value: 'hunter2', enumerable: true });
    expect(() => bound.info(fields, 'm')).not.toThrow();
    expect(received[0]).toMatchObject({ correlationId: 'run-1', kept: 'yes', password: '[REDACTED]', broken: '[Unreadable]', proxy: '[Unreadable]' });
    expect(() => bound.error({ a: 1 })).not.toThrow();
  });
});

describe('createJsonLogger on a stalled stream', () => {
  it('drops lines instead of buffering without bound when the reader stops reading', async () => {
    const { Writable } = await import('node:stream');
    // A reader that is alive but never reads: nothing written is ever flushed.
    const stalled = new Writable({ highWaterMark: 1024, write: () => {} });
    const logger = createJsonLogger({ stream: stalled, maxPendingBytes: 64 * 1024 });
    const text = 'x'.repeat(1000);
    for (let line = 0; line < 1000; line++) logger.info({ text });
    expect(stalled.writableLength).toBeLessThan(64 * 1024 + 2048);
    expect(logger.droppedLines).toBeGreaterThan(900);
  });

  it('keeps at most 16 MiB queued on a stalled stream by default', async () => {
    const { Writable } = await import('node:stream');
    const stalled = new Writable({ write: () => {} });
    const logger = createJsonLogger({ stream: stalled });
    const text = 'x'.repeat(10_000);
    for (let line = 0; line < 2_000; line++) logger.info({ text });
    expect(stalled.writableLength).toBeLessThan(16 * 1024 * 1024 + 20_000);
    expect(logger.droppedLines).toBeGreaterThan(300);
  });

  it('refuses a maxPendingBytes that is not a positive number', () => {
    expect(() => createJsonLogger({ stream: { write: () => true }, maxPendingBytes: -1 })).toThrow(InvalidOptionsError);
    expect(() => createJsonLogger({ stream: { write: () => true }, maxPendingBytes: Number.NaN })).toThrow(InvalidOptionsError);
  });
});

describe('createJsonLogger with sparse arrays', () => {
  it('writes an array of the largest length as its entries, through the redacting logger too', () => {
    const lines: string[] = [];
    const logger = bindLogger(createJsonLogger({ write: (line) => lines.push(line) }), {});
    const huge: unknown[] = [];
    huge.length = 2 ** 32 - 1;
    huge[7] = 'seven';
    const started = performance.now();
    // eslint-disable-next-line no-sparse-arrays -- the holes are the point
    logger.info({ huge, small: [1, , 3] });
    expect(performance.now() - started).toBeLessThan(500);
    expect(JSON.parse(lines[0]!)).toMatchObject({ huge: { length: 2 ** 32 - 1, 7: 'seven' }, small: [1, null, 3] });
  });
});

describe('createJsonLogger with binary data', () => {
  it('writes a large Buffer as its size, quickly, with or without redaction, and never its bytes', () => {
    const lines: string[] = [];
    const plain = createJsonLogger({ write: (line) => lines.push(line) });
    const redacting = bindLogger(plain, {});
    const body = Buffer.alloc(1_000_000, 'password=hunter2&');
    const started = performance.now();
    plain.info({ body });
    redacting.info({ body, view: new Uint8Array(body.buffer, 0, 10) });
    expect(performance.now() - started).toBeLessThan(500);
    expect(JSON.parse(lines[0]!)).toMatchObject({ body: '[Buffer: 1000000 bytes]' });
    expect(JSON.parse(lines[1]!)).toMatchObject({ body: '[Buffer: 1000000 bytes]', view: '[Uint8Array: 10 bytes]' });
  });
});
