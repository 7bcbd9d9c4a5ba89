import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkflowContext } from '@tta/primitives';
import { isHttpMock, readTestSet, startRecording, type RecordingSession } from '@tta/keploy-testing';
import { openAICompatible, streamStep } from '@tta/models';
import { sse, startFakeOpenAIServer } from './test-support/fake-openai-server.js';

const apiKey = 'sk-test-recording-0123456789abcdef';
let session: RecordingSession | undefined;
let dir: string | undefined;
afterEach(async () => {
  await session?.stop();
  session = undefined;
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function readAll(chunks: AsyncIterable<{ text: string }>): Promise<string[]> {
  const texts: string[] = [];
  for await (const chunk of chunks) texts.push(chunk.text);
  return texts;
}

describe('a streamed openAICompatible call under @tta/keploy-testing', () => {
  it('is recorded chunk by chunk, without the API key, and replays the same chunks and usage offline', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tta-models-recording-'));
    const server = await startFakeOpenAIServer();
    // A pause between events makes each one its own chunk on the wire.
    server.answer(sse(['Once ', 'upon ', 'a time'], { delayMs: 15, usage: { prompt_tokens: 11, completion_tokens: 3 } }));
    const provider = openAICompatible({ baseUrl: server.baseUrl, apiKey, model: 'fake-model' });
    const tell = streamStep(provider, { idleTimeoutMs: 5_000 });

    session = await startRecording({ dir, testSet: 'test-set-0', mode: 'record', env: {} });
    const live = WorkflowContext.create();
    const liveTexts = await readAll(await tell.execute(live, 'Tell me a story'));
    await session.stop();
    session = undefined;
    await server.close();
    expect(liveTexts).toEqual(['Once ', 'upon ', 'a time']);

    const [mock] = (await readTestSet(join(dir, 'test-set-0'))).mocks.filter(isHttpMock);
    expect(mock!.response.chunks!.length).toBeGreaterThanOrEqual(4);
    expect(mock!.response.chunks!.map((chunk) => chunk.data).join('')).toBe(mock!.response.body);
    for (const file of await readdir(join(dir, 'test-set-0'), { recursive: true })) {
      if (!file.endsWith('.yaml')) continue;
      expect(await readFile(join(dir, 'test-set-0', file), 'utf8')).not.toContain(apiKey);
    }

    session = await startRecording({ dir, testSet: 'test-set-0', mode: 'replay', env: {} });
    const replayed = WorkflowContext.create();
    expect(await readAll(await tell.execute(replayed, 'Tell me a story'))).toEqual(liveTexts);
    expect(replayed.usage).toEqual(live.usage);
    expect(replayed.usage).toMatchObject({ calls: 1, inputTokens: 11, outputTokens: 3 });
  });
});
