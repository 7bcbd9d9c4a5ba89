import { createServer, request as httpRequest, type IncomingMessage, type RequestOptions, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A test server on a free 127.0.0.1 port that counts the requests it receives. */
export interface LocalServer {
  readonly url: string;
  readonly hits: string[];
  close(): Promise<void>;
}

/** Starts `handler` on 127.0.0.1 (free port). */
export async function startLocalServer(handler: (request: IncomingMessage, response: ServerResponse, body: string) => void | Promise<void>): Promise<LocalServer> {
  const hits: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      hits.push(`${request.method} ${request.url}`);
      void handler(request, response, Buffer.concat(chunks).toString('utf8'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A response read through `node:http`, with the body's `data` events kept apart. */
export interface NodeResponse {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly chunks: string[];
}

/** Makes a request with `node:http` (not fetch) and reads the whole response. */
export function nodeRequest(url: string, options: RequestOptions = {}, body?: string): Promise<NodeResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, options, (response) => {
      const chunks: string[] = [];
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: chunks.join(''), chunks }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** A fresh temporary folder, removed by the returned function. */
export async function temporaryDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tta-keploy-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Every file under `dir` with its text. */
export async function readAllFiles(dir: string): Promise<Array<{ file: string; text: string }>> {
  const files: Array<{ file: string; text: string }> = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    files.push({ file, text: await readFile(file, 'utf8') });
  }
  return files;
}

/** Reads a fetch body chunk by chunk. */
export async function readChunks(response: Response): Promise<string[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const chunks: string[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    chunks.push(decoder.decode(value));
  }
}
