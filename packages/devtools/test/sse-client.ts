import { get, type IncomingMessage } from 'node:http';

/** A test's view of the event stream: every event parsed so far, and a way to wait for one. */
export interface EventStreamReader {
  readonly events: Record<string, unknown>[];
  waitFor(predicate: (event: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): void;
}

/** Opens `url`'s event stream and parses its `data:` frames. */
export function readEvents(url: string): Promise<EventStreamReader> {
  return new Promise((resolve, reject) => {
    const request = get(url, (response: IncomingMessage) => {
      if (response.statusCode !== 200) return reject(new Error(`event stream answered ${response.statusCode}`));
      const events: Record<string, unknown>[] = [];
      const waiters = new Set<() => void>();
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (frame.startsWith('data: ')) events.push(JSON.parse(frame.slice(6)) as Record<string, unknown>);
        }
        for (const waiter of waiters) waiter();
      });
      resolve({
        events,
        waitFor: (predicate, timeoutMs = 5000) =>
          new Promise((found, fail) => {
            const check = (): void => {
              const match = events.find(predicate);
              if (match === undefined) return;
              waiters.delete(check);
              clearTimeout(timer);
              found(match);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no matching event in ${timeoutMs} ms; got ${JSON.stringify(events)}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          }),
        close: () => request.destroy(),
      });
    });
    request.on('error', reject);
  });
}
