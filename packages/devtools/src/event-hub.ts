import type { ServerResponse } from 'node:http';
import type { DevtoolsEvent } from './run-recorder.js';

/** One browser's event stream and what waits for it while its socket is full. */
interface StreamClient {
  readonly response: ServerResponse;
  readonly queue: string[];
  blocked: boolean;
  droppedSinceReport: number;
}

/**
 * Fans events out to every connected browser over server-sent events, and keeps the recent runs
 * to replay to one that connects later. Writing never waits: a browser whose socket is full gets
 * its events queued up to `clientBufferSize`, and the ones past that are dropped, counted, and
 * reported to it (`{ t: 'dropped' }`) once it drains.
 */
export class EventHub {
  private readonly clients = new Set<StreamClient>();
  /** Serialised frames of each kept run, oldest run first (a Map keeps insertion order). */
  private readonly history = new Map<string, string[]>();
  private dropped = 0;

  constructor(
    private readonly historySize: number,
    private readonly clientBufferSize: number,
    private readonly onClientCountChange: (count: number) => void,
  ) {}

  /** Events not delivered to some browser since the hub started. */
  get droppedEvents(): number {
    return this.dropped;
  }

  /** Browsers connected now. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Runs kept for replay. */
  get historyRuns(): number {
    return this.history.size;
  }

  /** Starts a stream on `response`: the hello frame, then the kept runs, then live events. */
  attach(response: ServerResponse, hello: DevtoolsEvent): void {
    const client: StreamClient = { response, queue: [], blocked: false, droppedSinceReport: 0 };
    this.clients.add(client);
    response.on('close', () => {
      this.clients.delete(client);
      this.onClientCountChange(this.clients.size);
    });
    response.on('drain', () => this.drain(client));
    let replay = frame(hello);
    for (const frames of this.history.values()) replay += frames.join('');
    this.write(client, replay, 0);
    this.onClientCountChange(this.clients.size);
  }

  /** Records a batch of events and sends it to every browser. */
  publish(events: readonly DevtoolsEvent[]): void {
    let text = '';
    for (const event of events) {
      const serialised = frame(event);
      text += serialised;
      this.remember(event, serialised);
    }
    if (text === '') return;
    for (const client of this.clients) this.write(client, text, events.length);
  }

  /** Ends every stream. */
  closeAll(): void {
    for (const client of this.clients) client.response.end();
    this.clients.clear();
  }

  private remember(event: DevtoolsEvent, serialised: string): void {
    const runId = event['run'];
    if (typeof runId !== 'string') return;
    let frames = this.history.get(runId);
    if (frames === undefined) {
      if (event.t !== 'run-start') return;
      frames = [];
      this.history.set(runId, frames);
      while (this.history.size > this.historySize) {
        const oldest = this.history.keys().next().value as string;
        this.history.delete(oldest);
      }
    }
    frames.push(serialised);
  }

  private write(client: StreamClient, text: string, eventCount: number): void {
    if (client.response.destroyed || client.response.writableEnded) return;
    if (client.blocked) {
      if (client.queue.length >= this.clientBufferSize) {
        client.droppedSinceReport += eventCount;
        this.dropped += eventCount;
        return;
      }
      client.queue.push(text);
      return;
    }
    // `write` buffers in memory when the socket is full and tells so by returning false: from then
    // on this client's events wait in its own bounded queue until `drain`.
    if (!client.response.write(text)) client.blocked = true;
  }

  private drain(client: StreamClient): void {
    client.blocked = false;
    const queued = client.queue.splice(0, client.queue.length).join('');
    let text = queued;
    if (client.droppedSinceReport > 0) {
      text += frame({ t: 'dropped', count: client.droppedSinceReport, total: this.dropped });
      client.droppedSinceReport = 0;
    }
    if (text !== '' && !client.response.write(text)) client.blocked = true;
  }
}

function frame(event: DevtoolsEvent): string {
  return `data: ${JSON.stringify(event)}\n\n`;
}
