import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { EventHub } from './event-hub.js';
import type { DevtoolsEvent } from './run-recorder.js';

/** A browser's response whose socket is always full: every write is buffered, none drains until told. */
class StalledResponse extends EventEmitter {
  destroyed = false;
  writableEnded = false;
  readonly chunks: string[] = [];
  write(text: string): boolean {
    this.chunks.push(text);
    return false;
  }
  end(): void {
    this.writableEnded = true;
  }
  get frames(): Record<string, unknown>[] {
    return this.chunks
      .join('')
      .split('\n\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice('data: '.length)) as Record<string, unknown>);
  }
}

const attachStalled = (hub: EventHub): StalledResponse => {
  const response = new StalledResponse();
  hub.attach(response as unknown as ServerResponse, { t: 'hello' });
  return response;
};

const failedStep = (run: string, step: number): DevtoolsEvent => ({ t: 'step-end', run, step, status: 'failed', error: [{ name: 'Error', message: 'x'.repeat(2000) }] });

describe('EventHub', () => {
  it('queues at most clientBufferSize events for a browser that never reads, however many each batch holds', () => {
    const hub = new EventHub(50, 10, () => {});
    const browser = attachStalled(hub);
    browser.chunks.length = 0;
    for (let batch = 0; batch < 20; batch++) {
      hub.publish(Array.from({ length: 100 }, (_, step) => ({ t: 'step-start', run: 'r', step })));
    }
    browser.emit('drain');
    const delivered = browser.frames.filter((event) => event['t'] === 'step-start');
    expect(delivered.length).toBeLessThanOrEqual(10);
    const report = browser.frames.find((event) => event['t'] === 'dropped');
    expect(report?.['count']).toBe(2000 - delivered.length);
    expect(hub.droppedEvents).toBe(2000 - delivered.length);
  });

  it('keeps the replayed history within its byte budget, evicting the oldest runs first', () => {
    const budgetBytes = 64 * 1024;
    const hub = new EventHub(50, 10, () => {}, budgetBytes);
    for (let run = 0; run < 50; run++) {
      hub.publish([{ t: 'run-start', run: `run-${run}` }, ...Array.from({ length: 20 }, (_, step) => failedStep(`run-${run}`, step)), { t: 'run-end', run: `run-${run}`, status: 'failed' }]);
    }
    const late = attachStalled(hub);
    expect(late.chunks.join('').length).toBeLessThanOrEqual(budgetBytes + 100);
    const replayed = late.frames.filter((event) => event['t'] === 'run-start').map((event) => event['run']);
    expect(replayed.length).toBeGreaterThan(0);
    expect(replayed.at(-1)).toBe('run-49');
  });

  it('keeps the start and end of a run larger than the whole budget, and leaves out its middle', () => {
    const hub = new EventHub(50, 10, () => {}, 16 * 1024);
    hub.publish([{ t: 'run-start', run: 'huge' }, ...Array.from({ length: 100 }, (_, step) => failedStep('huge', step)), { t: 'run-end', run: 'huge', status: 'failed' }]);
    const late = attachStalled(hub);
    expect(late.chunks.join('').length).toBeLessThanOrEqual(16 * 1024 + 100);
    expect(late.frames.map((event) => event['t'])).toEqual(expect.arrayContaining(['hello', 'run-start', 'run-end']));
  });
});
