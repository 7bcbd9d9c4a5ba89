// Sends one prompt to the configured model and prints the answer: a quick check of an endpoint.
//   node dist/main.js "Why do retries need jitter?"
import { createModelProvider, describeModelProvider } from './index.js';

const prompt = process.argv.slice(2).join(' ') || 'In one sentence: why do retries need jitter?';
try {
  const model = createModelProvider();
  console.log(describeModelProvider(model));
  const answer = await model.complete({ messages: [{ role: 'user', content: prompt }], maxTokens: 200 });
  console.log(answer.text);
  console.log(`tokens in/out: ${answer.usage.inputTokens}/${answer.usage.outputTokens}, cost $${answer.costUsd.toFixed(6)}, ${answer.latencyMs.toFixed(0)} ms`);
} catch (error) {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
