import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createStreamLogSink } from './log-sink.js';

/** A stream whose reader has gone: every write fails with EPIPE, as stdout does on a closed pipe. */
function brokenPipe(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    },
  });
}

describe('createStreamLogSink', () => {
  it('writes each line with a newline', () => {
    const stream = new PassThrough();
    const sink = createStreamLogSink(stream);
    sink.write('{"a":1}');
    sink.write('{"b":2}');
    expect(stream.read()?.toString()).toBe('{"a":1}\n{"b":2}\n');
    expect(sink.dropped).toBe(0);
  });

  it('survives EPIPE from a reader that exited, and counts the lines it drops', async () => {
    const stream = brokenPipe();
    const sink = createStreamLogSink(stream);
    sink.write('first');
    // The error event comes on a later tick; without a listener it would be an uncaught exception.
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.broken).toBe(true);
    for (let index = 0; index < 5; index++) sink.write(`line ${index}`);
    expect(sink.dropped).toBe(5);
  });

  it('drops lines instead of buffering without bound when the reader stalls', () => {
    const stream = new PassThrough({ highWaterMark: 16 });
    const sink = createStreamLogSink(stream, { maxBufferedBytes: 1024 });
    for (let index = 0; index < 1000; index++) sink.write('x'.repeat(100));
    expect(stream.writableLength).toBeLessThan(1024 + 200);
    expect(sink.dropped).toBeGreaterThan(900);
  });

  it('counts a line as dropped when a synchronous stream throws', () => {
    const sink = createStreamLogSink({
      write: () => {
        throw new Error('EBADF');
      },
      on: () => undefined,
      writableLength: 0,
      destroyed: false,
    });
    expect(() => sink.write('line')).not.toThrow();
    expect(sink.dropped).toBe(1);
    expect(sink.broken).toBe(true);
  });
});
