import type { ServerResponse } from 'node:http';
import type { DevtoolsEvent } from './run-recorder.js';

/** One browser's event stream and what waits for it while its socket is full. */
interface StreamClient {
  readonly response: ServerResponse;
  readonly queue: string[];
  /** Events in `queue` (a queued string may hold a whole batch). */
  queuedEvents: number;
  blocked: boolean;
  droppedSinceReport: number;
}

/** A kept run: its serialised frames and their total length. */
interface KeptRun {
  readonly frames: string[];
  length: number;
  /** Frames were left out to stay within the history budget; only its end is still kept. */
  truncated: boolean;
}

/**
 * What the replay history may hold, in UTF-16 code units of serialised frames. A count of runs
 * alone does not bound memory: a failing step carries up to 16 kB of cause chain, so 50 runs of
 * 500 such steps would be 400 MB, copied again into every late browser's socket.
 */
const defaultHistoryBudget = 8 * 1024 * 1024;

/**
 * Fans events out to every connected browser over server-sent events, and keeps the recent runs
 * to replay to one that connects later. Writing never waits: a browser whose socket is full gets
 * up to `clientBufferSize` events queued, and the ones past that are dropped, counted, and
 * reported to it (`{ t: 'dropped' }`) once it drains. The history is bounded both in runs and in
 * size (`historyBudget`): the oldest runs go first, and a run larger than the whole budget keeps
 * its start and end but not its middle.
 */
export class EventHub {
  private readonly clients = new Set<StreamClient>();
  /** Each kept run, oldest first (a Map keeps insertion order). */
  private readonly history = new Map<string, KeptRun>();
  private historyLength = 0;
  private dropped = 0;

  constructor(
    private readonly historySize: number,
    private readonly clientBufferSize: number,
    private readonly onClientCountChange: (count: number) => void,
    private readonly historyBudget: number = defaultHistoryBudget,
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
    const client: StreamClient = { response, queue: [], queuedEvents: 0, blocked: false, droppedSinceReport: 0 };
    this.clients.add(client);
    response.on('close', () => {
      this.clients.delete(client);
      this.onClientCountChange(this.clients.size);
    });
    response.on('drain', () => this.drain(client));
    let replay = frame(hello);
    for (const kept of this.history.values()) replay += kept.frames.join('');
    this.write(client, [replay], 0);
    this.onClientCountChange(this.clients.size);
  }

  /** Records a batch of events and sends it to every browser. */
  publish(events: readonly DevtoolsEvent[]): void {
    const frames: string[] = [];
    for (const event of events) {
      const serialised = frame(event);
      frames.push(serialised);
      this.remember(event, serialised);
    }
    if (frames.length === 0) return;
    for (const client of this.clients) this.write(client, frames, frames.length);
  }

  /** Ends every stream. */
  closeAll(): void {
    for (const client of this.clients) client.response.end();
    this.clients.clear();
  }

  private remember(event: DevtoolsEvent, serialised: string): void {
    const runId = event['run'];
    if (typeof runId !== 'string') return;
    let kept = this.history.get(runId);
    if (kept === undefined) {
      if (event.t !== 'run-start') return;
      kept = { frames: [], length: 0, truncated: false };
      this.history.set(runId, kept);
      while (this.history.size > this.historySize) this.forgetOldest();
    }
    const essential = event.t === 'run-start' || event.t === 'run-end';
    if (kept.truncated && !essential) return;
    // Older runs make room first; the run being recorded is never evicted by its own frames.
    while (this.historyLength + serialised.length > this.historyBudget && this.history.size > 1 && this.history.keys().next().value !== runId) {
      this.forgetOldest();
    }
    if (this.historyLength + serialised.length > this.historyBudget && !essential) {
      kept.truncated = true;
      return;
    }
    kept.frames.push(serialised);
    kept.length += serialised.length;
    this.historyLength += serialised.length;
  }

  private forgetOldest(): void {
    const [oldestId, oldest] = this.history.entries().next().value as [string, KeptRun];
    this.history.delete(oldestId);
    this.historyLength -= oldest.length;
  }

  /** Sends `frames` (one per event, or the replay as one string with `eventCount` 0) to `client`. */
  private write(client: StreamClient, frames: readonly string[], eventCount: number): void {
    if (client.response.destroyed || client.response.writableEnded) return;
    if (client.blocked) {
      // Counted per event, not per batch: one batch can hold thousands of events.
      const room = Math.max(0, this.clientBufferSize - client.queuedEvents);
      const fitting = Math.min(room, frames.length);
      if (fitting > 0) {
        client.queue.push(frames.slice(0, fitting).join(''));
        client.queuedEvents += fitting;
      }
      const droppedNow = eventCount - fitting;
      if (droppedNow > 0) {
        client.droppedSinceReport += droppedNow;
        this.dropped += droppedNow;
      }
      return;
    }
    // `write` buffers in memory when the socket is full and tells so by returning false: from then
    // on this client's events wait in its own bounded queue until `drain`.
    if (!client.response.write(frames.join(''))) client.blocked = true;
  }

  private drain(client: StreamClient): void {
    client.blocked = false;
    const queued = client.queue.splice(0, client.queue.length).join('');
    client.queuedEvents = 0;
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
