import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidOptionsError } from '@tta/primitives';
import { registerInstrumentation, requireInteger, requireNonEmptyString, requireOptionsObject } from '@tta/primitives/instrumentation';
import { isExpectedHost, isSameOrigin, requestToken, tokenMatches } from './access-check.js';
import type { DevtoolsOptions, DevtoolsServer } from './devtools-options.js';
import { DevtoolsServerError } from './devtools-server-error.js';
import { EventHub } from './event-hub.js';
import { loadPageAssets, pageHtml, type PageAsset } from './page-assets.js';
import { RunRecorder, type WorkflowCandidate } from './run-recorder.js';
import { handleResume, listSuspended } from './durable-routes.js';
import { setSecurityHeaders } from './security-headers.js';
import { buildCatalogue, graphNames, type CatalogueEntry } from './workflow-catalogue.js';

const knownOptions = ['workflows', 'port', 'host', 'token', 'historySize', 'clientBufferSize', 'maxRunsPerSecond', 'maxBrowsers'];
const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1']);
const wildcardHosts = new Set(['0.0.0.0', '::']);

/**
 * Serves a local page that draws each workflow's graph and shows its runs live: steps running, ok
 * or failed, with durations, retries, fallbacks, cache hits, tokens and cost, a run's timeline
 * and its error's cause chain, and the suspended runs of durable workflows with a form to resume
 * them. It listens on loopback unless `host` says otherwise; every request must carry the random
 * token of `url` (401 otherwise), and a resume must come from the page's own origin (403).
 * Nothing is recorded while no browser is connected.
 *
 * @example
 * ```ts
 * const checkout = step('reserve', async (order: string) => order).pipe(step('charge', async (order: string) => order));
 * const devtools = await startDevtools({ workflows: { checkout }, port: 0 });
 * console.log(`devtools: ${devtools.url}`);
 * await devtools.close();
 * ```
 */
export async function startDevtools(options: DevtoolsOptions): Promise<DevtoolsServer> {
  requireOptionsObject('startDevtools', options, { known: knownOptions });
  const port = options.port ?? 4320;
  requireInteger('startDevtools', 'port', port, { min: 0, max: 65_535 });
  const host = options.host ?? '127.0.0.1';
  requireNonEmptyString('startDevtools', 'host', host);
  const token = options.token ?? randomBytes(16).toString('hex');
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{16,256}$/.test(token)) {
    throw new InvalidOptionsError('startDevtools', 'token', 'must be 16 to 256 letters, digits, "-" or "_"');
  }
  const historySize = options.historySize ?? 50;
  requireInteger('startDevtools', 'historySize', historySize, { min: 1, max: 10_000 });
  const clientBufferSize = options.clientBufferSize ?? 2000;
  requireInteger('startDevtools', 'clientBufferSize', clientBufferSize, { min: 1, max: 1_000_000 });
  const maxRunsPerSecond = options.maxRunsPerSecond ?? 20;
  requireInteger('startDevtools', 'maxRunsPerSecond', maxRunsPerSecond, { min: 1, max: 100_000 });
  const maxBrowsers = options.maxBrowsers ?? 8;
  requireInteger('startDevtools', 'maxBrowsers', maxBrowsers, { min: 1, max: 1000 });
  const catalogue = buildCatalogue(options.workflows);
  const assets = await loadPageAssets();

  const rootNames = new Map<string, WorkflowCandidate[]>();
  for (const entry of catalogue) {
    const candidate: WorkflowCandidate = { workflow: entry.name, stepNames: graphNames(entry.graph) };
    for (const name of entry.rootNames) rootNames.set(name, [...(rootNames.get(name) ?? []), candidate]);
  }
  let registration: { dispose(): void } | undefined;
  let closed = false;
  const browserWaiters = new Set<() => void>();
  const hub = new EventHub(historySize, clientBufferSize, (count) => {
    if (count > 0) {
      for (const wake of browserWaiters) wake();
      browserWaiters.clear();
    }
    // The seam is registered only while someone watches: with no browser, workflows pay nothing.
    if (count > 0 && registration === undefined) registration = registerInstrumentation(recorder.instrumentation);
    else if (count === 0 && registration !== undefined) {
      registration.dispose();
      registration = undefined;
      recorder.reset();
    }
  });
  const recorder = new RunRecorder(rootNames, (events) => hub.publish(events), maxRunsPerSecond);

  const server = createServer();
  await listen(server, host, port);
  const boundPort = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const allowedHosts = wildcardHosts.has(host) ? undefined : new Set([`${urlHost}:${boundPort}`.toLowerCase()]);
  if (loopbackHosts.has(host)) for (const name of ['127.0.0.1', 'localhost', '[::1]']) allowedHosts?.add(`${name}:${boundPort}`);
  const context: RouteContext = { token, catalogue, assets, hub, allowedHosts, runsNotShown: () => recorder.runsNotShown, maxBrowsers };
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    route(context, request, response).catch(() => {
      if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
      else response.destroy();
    });
  });

  return {
    url: `http://${urlHost}:${boundPort}/?token=${token}`,
    port: boundPort,
    get droppedEvents() {
      return hub.droppedEvents;
    },
    get runsNotShown() {
      return recorder.runsNotShown;
    },
    get connectedBrowsers() {
      return hub.clientCount;
    },
    // Once closed no browser can come: waiting would hang the caller forever.
    waitForBrowser: () => (hub.clientCount > 0 || closed ? Promise.resolve() : new Promise<void>((resolve) => browserWaiters.add(resolve))),
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        registration?.dispose();
        registration = undefined;
        // A script waiting for a browser that will never come is let go rather than left hanging.
        for (const wake of browserWaiters) wake();
        browserWaiters.clear();
        hub.closeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface RouteContext {
  readonly token: string;
  readonly catalogue: readonly CatalogueEntry[];
  readonly assets: ReadonlyMap<string, PageAsset>;
  readonly hub: EventHub;
  readonly allowedHosts: ReadonlySet<string> | undefined;
  readonly runsNotShown: () => number;
  readonly maxBrowsers: number;
}

async function route(context: RouteContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  setSecurityHeaders(response);
  const url = new URL(request.url ?? '/', 'http://devtools.invalid');
  if (!isExpectedHost(request, context.allowedHosts)) return sendJson(response, 421, { error: 'unexpected Host header' });
  if (!tokenMatches(requestToken(request, url), context.token)) return sendJson(response, 401, { error: 'missing or wrong token' });
  const method = request.method ?? 'GET';
  if (method === 'POST') {
    if (!isSameOrigin(request)) return sendJson(response, 403, { error: 'cross-origin request refused' });
    if (url.pathname === '/api/resume') return handleResume(context.catalogue, request, response, sendJson);
    return sendJson(response, 404, { error: 'not found' });
  }
  if (method !== 'GET' && method !== 'HEAD') return sendJson(response, 405, { error: 'method not allowed' });
  if (url.pathname === '/') {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    return void response.end(pageHtml(context.token));
  }
  if (url.pathname.startsWith('/assets/')) {
    const asset = context.assets.get(url.pathname.slice('/assets/'.length));
    if (asset === undefined) return sendJson(response, 404, { error: 'not found' });
    response.writeHead(200, { 'Content-Type': asset.contentType });
    return void response.end(asset.body);
  }
  if (url.pathname === '/api/workflows') {
    return sendJson(response, 200, context.catalogue.map((entry) => ({ name: entry.name, durable: entry.durable, graph: entry.graph })));
  }
  if (url.pathname === '/api/suspended') return sendJson(response, 200, await listSuspended(context.catalogue));
  if (url.pathname === '/api/events') {
    // Each stream gets the replayed history (up to 8 MB) and a queue of its own: their number is bounded.
    if (context.hub.clientCount >= context.maxBrowsers) {
      response.setHeader('Retry-After', '5');
      return sendJson(response, 503, { error: `${context.maxBrowsers} browsers are connected already (maxBrowsers); close one and reload` });
    }
    response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    response.flushHeaders();
    context.hub.attach(response, { t: 'hello', droppedTotal: context.hub.droppedEvents, runsNotShown: context.runsNotShown() });
    return;
  }
  return sendJson(response, 404, { error: 'not found' });
}

/** Writes `body` as JSON with `status`. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => reject(new DevtoolsServerError(host, port, { cause: error }));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
