import { Socket } from 'node:net';
import type { Mock } from '../model.js';

/** A host and port that a non-HTTP mock stands for; `host` undefined means any host. */
export interface GuardedTarget {
  readonly host: string | undefined;
  readonly port: number;
  /** The mock's kind, e.g. `Postgres`. */
  readonly kind: string;
}

/** The port each database client uses when the mock does not say where it connected. */
const defaultPorts: Readonly<Record<string, number>> = { mongo: 27017, postgres: 5432, postgresv2: 5432, mysql: 3306, redis: 6379 };
const addressKeys = /^(?:dest(?:ination)?_?addr(?:ess)?|address|addr|host|server|endpoint)$/i;

const parseAddress = (value: string): { host: string | undefined; port: number } | undefined => {
  const match = /^(?:[a-z]+:\/\/)?\[?([^\]\s/]*?)\]?:(\d{1,5})$/i.exec(value.trim());
  if (match === null) return undefined;
  return { host: match[1] === '' ? undefined : match[1]!.toLowerCase(), port: Number(match[2]) };
};

/**
 * Where the non-HTTP mocks of a set connected: an address found in a mock's metadata (`host:port`), or
 * else the client's usual port on any host.
 */
export function guardedTargets(mocks: readonly Mock[]): GuardedTarget[] {
  const targets = new Map<string, GuardedTarget>();
  for (const mock of mocks) {
    if (mock.kind === 'Http' || !('spec' in mock)) continue;
    const spec = mock.spec as { metadata?: Record<string, unknown> } | undefined;
    let found = false;
    for (const [key, value] of Object.entries(spec?.metadata ?? {})) {
      if (!addressKeys.test(key) || typeof value !== 'string') continue;
      const address = parseAddress(value);
      if (address !== undefined) {
        targets.set(`${address.host ?? '*'}:${address.port}`, { ...address, kind: mock.kind });
        found = true;
      }
    }
    const port = defaultPorts[mock.kind.toLowerCase()];
    if (!found && port !== undefined) targets.set(`*:${port}`, { host: undefined, port, kind: mock.kind });
  }
  return [...targets.values()];
}

type Connect = (this: Socket, ...args: unknown[]) => Socket;

/** Host and port of a `socket.connect(...)` call: `(options)`, `(port, host?)`; undefined for a pipe path. */
const targetOf = (args: readonly unknown[]): { host: string; port: number } | undefined => {
  const [first, second] = args;
  const options = Array.isArray(first) ? (first[0] as unknown) : first;
  if (typeof options === 'object' && options !== null) {
    const { port, host } = options as { port?: unknown; host?: unknown };
    if (port === undefined) return undefined;
    return { port: Number(port), host: typeof host === 'string' ? host : 'localhost' };
  }
  if (typeof options === 'number' || (typeof options === 'string' && /^\d+$/.test(options))) {
    return { port: Number(options), host: typeof second === 'string' ? second : 'localhost' };
  }
  return undefined;
};

/**
 * Refuses `net` connections (any client: database drivers, raw sockets) to the targets while installed:
 * the socket is destroyed with `refuse(...)`'s error before it reaches the network. Returns the uninstaller.
 */
export function guardConnections(targets: readonly GuardedTarget[], refuse: (target: string, kind: string) => Error): () => void {
  if (targets.length === 0) return () => undefined;
  const prototype = Socket.prototype as unknown as { connect: Connect };
  const original = prototype.connect;
  const patched: Connect = function connect(this: Socket, ...args: unknown[]): Socket {
    const target = targetOf(args);
    const hit = target === undefined ? undefined : targets.find((guarded) => guarded.port === target.port && (guarded.host === undefined || guarded.host === target.host.toLowerCase()));
    if (target === undefined || hit === undefined) return original.apply(this, args);
    const error = refuse(`${target.host}:${target.port}`, hit.kind);
    process.nextTick(() => this.destroy(error));
    return this;
  };
  prototype.connect = patched;
  return () => {
    // Only our own patch is undone: a later patch on top of it stays.
    if (prototype.connect === patched) prototype.connect = original;
  };
}
