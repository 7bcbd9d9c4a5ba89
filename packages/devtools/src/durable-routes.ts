import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorChain } from './error-chain.js';
import { payloadPreview } from './payload-preview.js';
import type { CatalogueEntry } from './workflow-catalogue.js';

/** A suspended durable run as the page lists it. */
export interface SuspendedRun {
  readonly workflow: string;
  readonly runId: string;
  readonly waitingFor: string | undefined;
  readonly payload: string;
  readonly updatedAt: number | undefined;
}

const maxBodyBytes = 1024 * 1024;
const maxListed = 50;

/** The suspended runs of every durable workflow, with what each waits for (redacted). */
export async function listSuspended(catalogue: readonly CatalogueEntry[]): Promise<SuspendedRun[]> {
  const suspended: SuspendedRun[] = [];
  for (const entry of catalogue) {
    const durable = entry.durableWorkflow;
    if (durable === undefined) continue;
    const runs = await durable.list({ status: 'suspended', limit: maxListed });
    for (const run of runs) {
      const record = (await durable.inspect(run.runId)) as { readonly waitingFor?: { readonly name?: unknown; readonly payload?: unknown }; readonly steps?: readonly { readonly status?: unknown; readonly name?: unknown; readonly payload?: unknown; readonly output?: unknown }[] } | undefined;
      const waitingStep = record?.steps?.find((step) => step.status === 'waiting');
      const waitingFor = record?.waitingFor ?? (waitingStep === undefined ? undefined : { name: waitingStep.name, payload: waitingStep.payload ?? waitingStep.output });
      suspended.push({
        workflow: entry.name,
        runId: run.runId,
        waitingFor: typeof waitingFor?.name === 'string' ? waitingFor.name : undefined,
        payload: payloadPreview(waitingFor?.payload),
        updatedAt: run.updatedAt,
      });
    }
  }
  return suspended;
}

/**
 * `POST /api/resume` with `{ workflow, runId, value }`: resumes a suspended run of a durable
 * workflow with `value`. A body that is not that JSON gets 400 naming the problem; an unknown
 * workflow 404; a failing resume 409 with its cause chain; all shown inline by the page.
 */
export async function handleResume(
  catalogue: readonly CatalogueEntry[],
  request: IncomingMessage,
  response: ServerResponse,
  sendJson: (response: ServerResponse, status: number, body: unknown) => void,
): Promise<void> {
  if (!/^application\/json\b/.test(request.headers['content-type'] ?? '')) return sendJson(response, 415, { error: 'the body must be application/json' });
  const text = await readBody(request);
  if (text === undefined) return sendJson(response, 413, { error: `the body is larger than ${maxBodyBytes} bytes` });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return sendJson(response, 400, { error: 'the body is not valid JSON' });
  }
  const { workflow, runId, value } = (typeof body === 'object' && body !== null ? body : {}) as { workflow?: unknown; runId?: unknown; value?: unknown };
  if (typeof workflow !== 'string' || typeof runId !== 'string' || runId === '') {
    return sendJson(response, 400, { error: 'the body must be { "workflow": string, "runId": string, "value": JSON }' });
  }
  const entry = catalogue.find((candidate) => candidate.name === workflow && candidate.durableWorkflow !== undefined);
  if (entry?.durableWorkflow === undefined) return sendJson(response, 404, { error: `no durable workflow named ${JSON.stringify(workflow)}` });
  try {
    const outcome = (await entry.durableWorkflow.resume(runId, { value })) as { readonly status?: unknown } | undefined;
    return sendJson(response, 200, { status: typeof outcome?.status === 'string' ? outcome.status : 'resumed', runId });
  } catch (error) {
    return sendJson(response, 409, { error: errorChain(error)[0]?.message ?? 'resume failed', causes: errorChain(error) });
  }
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        resolve(undefined);
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
