import { describe, it, expect, expectTypeOf } from 'vitest';
import { z } from 'zod';
import { InvalidOptionsError } from '@tta/primitives';
import { TypedMailbox, type InvalidMessageEvent } from './typed-mailbox.js';
import { InMemoryMailbox } from './in-memory-mailbox.js';
import { SchemaValidationError } from '../errors/schema-validation-error.js';

const schemas = {
  task: z.object({ file: z.string().min(1), priority: z.number().int().min(1).max(5).default(3) }),
  done: z.object({ file: z.string(), ok: z.boolean() }),
};

function setup() {
  const mailbox = new InMemoryMailbox();
  return { mailbox, messages: new TypedMailbox(mailbox, schemas) };
}

describe('TypedMailbox', () => {
  it('sends a valid direct message and receives it typed, with schema defaults applied', async () => {
    const { messages } = setup();
    await messages.send({ type: 'task', from: 'planner', to: 'coder', payload: { file: 'a.ts' }, correlationId: 'run-1' });
    const [message] = await messages.receive('coder');
    expect(message).toMatchObject({ type: 'task', from: 'planner', to: 'coder', payload: { file: 'a.ts', priority: 3 }, correlationId: 'run-1' });
    if (message?.type === 'task') expectTypeOf(message.payload.priority).toEqualTypeOf<number>();
  });

  it('passes a message id through, so a retried send queues the message once', async () => {
    const { messages, mailbox } = setup();
    const sent = await messages.send({ id: 'task-7', type: 'task', from: 'planner', to: 'coder', payload: { file: 'a.ts' } });
    await messages.send({ id: 'task-7', type: 'task', from: 'planner', to: 'coder', payload: { file: 'a.ts' } });
    expect(sent.id).toBe('task-7');
    expect(await mailbox.pending('coder')).toBe(1);
  });

  it('rejects an invalid message with the validation issues, and sends nothing', async () => {
    const { messages, mailbox } = setup();
    const error = await messages.send({ type: 'task', from: 'planner', to: 'coder', payload: { file: '', priority: 9 } }).catch((caught: unknown) => caught);
    expect(SchemaValidationError.isInstance(error)).toBe(true);
    const validation = error as SchemaValidationError;
    expect(validation.subject).toBe('message "task"');
    expect(validation.issues.map((issue) => [issue.path.join('.'), issue.code])).toEqual([
      ['file', 'too_small'],
      ['priority', 'too_big'],
    ]);
    expect(await mailbox.pending('coder')).toBe(0);
  });

  it('rejects a published message that fails its schema, before any subscriber sees it', async () => {
    const { messages } = setup();
    const seen: unknown[] = [];
    await messages.subscribe('done', (message) => void seen.push(message.payload));
    await expect(messages.publish({ type: 'done', from: 'coder', payload: { file: 'a.ts', ok: 'yes' } as never })).rejects.toSatisfy(SchemaValidationError.isInstance);
    await messages.publish({ type: 'done', from: 'coder', payload: { file: 'a.ts', ok: true } });
    expect(seen).toEqual([{ file: 'a.ts', ok: true }]);
  });

  it('refuses a message type that has no schema', async () => {
    const { messages } = setup();
    const error = (await messages.publish({ type: 'gossip' as never, from: 'x', payload: {} as never }).catch((caught: unknown) => caught)) as SchemaValidationError;
    expect(error.issues[0]?.message).toMatch(/unknown message type \(known: task, done\)/);
    await expect(messages.subscribe('gossip' as never, () => undefined)).rejects.toSatisfy(SchemaValidationError.isInstance);
  });

  it('drops invalid incoming messages (sent around the schema) and reports them', async () => {
    const { messages, mailbox } = setup();
    const invalid: InvalidMessageEvent[] = [];
    messages.onInvalidMessage((event) => invalid.push(event));
    await mailbox.send({ type: 'task', from: 'legacy', to: 'coder', payload: { path: 'a.ts' } });
    await mailbox.send({ type: 'task', from: 'planner', to: 'coder', payload: { file: 'b.ts', priority: 1 } });
    const received = await messages.receive('coder');
    expect(received.map((message) => message.payload)).toEqual([{ file: 'b.ts', priority: 1 }]);
    expect(invalid).toHaveLength(1);
    expect(invalid[0]?.message.from).toBe('legacy');
    expect(invalid[0]?.error.issues[0]?.path).toEqual(['file']);
    const published: unknown[] = [];
    await messages.subscribe('done', (message) => void published.push(message.payload));
    await mailbox.publish({ type: 'done', from: 'legacy', payload: 'not an object' });
    expect(published).toEqual([]);
    expect(invalid).toHaveLength(2);
  });

  it('stops delivering once the subscription is disposed', async () => {
    const { messages } = setup();
    const seen: unknown[] = [];
    const subscription = await messages.subscribe('done', (message) => void seen.push(message.payload.file));
    await messages.publish({ type: 'done', from: 'c', payload: { file: 'one', ok: true } });
    subscription.dispose();
    await messages.publish({ type: 'done', from: 'c', payload: { file: 'two', ok: true } });
    expect(seen).toEqual(['one']);
  });

  it('refuses an empty or non-zod schema record, and a missing mailbox, with InvalidOptionsError', () => {
    const refusals: Array<[() => unknown, string]> = [
      [() => new TypedMailbox(new InMemoryMailbox(), {}), 'TypedMailbox: option "schemas" must be a non-empty record of message type -> zod schema (got an object)'],
      [() => new TypedMailbox(new InMemoryMailbox(), null as never), 'TypedMailbox: option "schemas" must be a non-empty record of message type -> zod schema (got null)'],
      [() => new TypedMailbox(new InMemoryMailbox(), { task: {} as never }), 'TypedMailbox: option "schemas["task"]" must be a zod schema (got an object)'],
      [() => new TypedMailbox(undefined as never, { task: z.string() }), 'TypedMailbox: option "mailbox" must be a Mailbox (got undefined)'],
    ];
    for (const [attempt, message] of refusals) {
      expect(attempt).toThrow(InvalidOptionsError);
      expect(attempt).toThrow(message);
    }
  });
});
