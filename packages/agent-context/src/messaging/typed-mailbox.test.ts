import { describe, it, expect, expectTypeOf } from 'vitest';
import { z } from 'zod';
import * as v from 'valibot';
import { InvalidInputError, InvalidOptionsError, ValidationError, type StandardSchemaV1 } from '@tta/primitives';
import { TypedMailbox, type InvalidMessageEvent } from './typed-mailbox.js';
import { InMemoryMailbox } from './in-memory-mailbox.js';

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
    expect(ValidationError.isInstance(error)).toBe(true);
    const validation = error as ValidationError;
    expect(validation.vendor).toBe('zod');
    expect(validation.issues.map((issue) => issue.path)).toEqual([['file'], ['priority']]);
    expect(validation.message).toMatch(/^Validation failed for TypedMailbox: message "task": file: .*; priority: /);
    expect(await mailbox.pending('coder')).toBe(0);
  });

  it('rejects a published message that fails its schema, before any subscriber sees it', async () => {
    const { messages } = setup();
    const seen: unknown[] = [];
    await messages.subscribe('done', (message) => void seen.push(message.payload));
    await expect(messages.publish({ type: 'done', from: 'coder', payload: { file: 'a.ts', ok: 'yes' } as never })).rejects.toSatisfy(ValidationError.isInstance);
    await messages.publish({ type: 'done', from: 'coder', payload: { file: 'a.ts', ok: true } });
    expect(seen).toEqual([{ file: 'a.ts', ok: true }]);
  });

  it('refuses a message type that has no schema', async () => {
    const { messages } = setup();
    const error = (await messages.publish({ type: 'gossip' as never, from: 'x', payload: {} as never }).catch((caught: unknown) => caught)) as ValidationError;
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error.issues).toEqual([{ path: ['type'], message: 'unknown message type "gossip" (known: task, done)' }]);
    expect(error.message).toBe('Validation failed for TypedMailbox: type: unknown message type "gossip" (known: task, done)');
    await expect(messages.subscribe('gossip' as never, () => undefined)).rejects.toSatisfy(ValidationError.isInstance);
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

  it('refuses an empty record or one that is not a Standard Schema, and a missing mailbox, with InvalidOptionsError', () => {
    const refusals: Array<[() => unknown, string]> = [
      [() => new TypedMailbox(new InMemoryMailbox(), {}), 'TypedMailbox: option "schemas" must be a non-empty record of message type -> Standard Schema (got an object)'],
      [() => new TypedMailbox(new InMemoryMailbox(), null as never), 'TypedMailbox: option "schemas" must be a non-empty record of message type -> Standard Schema (got null)'],
      [() => new TypedMailbox(new InMemoryMailbox(), { task: {} as never }), 'TypedMailbox: option "schemas["task"]" must be a Standard Schema v1 object, such as a zod, valibot or arktype schema'],
      [() => new TypedMailbox(new InMemoryMailbox(), { task: { safeParse: () => ({ success: true }) } as never }), 'TypedMailbox: option "schemas["task"]" must be a Standard Schema v1 object'],
      [() => new TypedMailbox(new InMemoryMailbox(), { task: { '~standard': { version: 2, vendor: 'x', validate: () => ({ value: 1 }) } } as never }), 'TypedMailbox: option "schemas["task"]" has Standard Schema version 2; only version 1 is supported'],
      [() => new TypedMailbox(undefined as never, { task: z.string() }), 'TypedMailbox: option "mailbox" must be a Mailbox (got undefined)'],
    ];
    for (const [attempt, message] of refusals) {
      expect(attempt).toThrow(InvalidOptionsError);
      expect(attempt).toThrow(message);
    }
  });

  it('validates with valibot as with zod: typed payloads, defaults applied, issues with paths', async () => {
    const mailbox = new InMemoryMailbox();
    const messages = new TypedMailbox(mailbox, {
      task: v.object({ file: v.pipe(v.string(), v.minLength(1)), priority: v.optional(v.number(), 3) }),
    });
    await messages.send({ type: 'task', from: 'planner', to: 'coder', payload: { file: 'a.ts' } });
    const [message] = await messages.receive('coder');
    expect(message?.payload).toEqual({ file: 'a.ts', priority: 3 });
    if (message !== undefined) expectTypeOf(message.payload).toEqualTypeOf<{ file: string; priority: number }>();
    const error = await messages.send({ type: 'task', from: 'planner', to: 'coder', payload: { file: '' } }).catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).vendor).toBe('valibot');
    expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual([['file']]);
    expect(await mailbox.pending('coder')).toBe(0);
  });

  it('awaits an asynchronous schema on send, receive and subscribe, keeping the order of messages', async () => {
    const slowEven: StandardSchemaV1<number, number> = {
      '~standard': {
        version: 1,
        vendor: 'custom',
        validate: async (value) => {
          await new Promise((resolve) => setTimeout(resolve, value === 2 ? 5 : 0));
          return typeof value === 'number' && value % 2 === 0 ? { value } : { issues: [{ message: 'must be even', path: [{ key: 'n' }] }] };
        },
      },
    };
    const mailbox = new InMemoryMailbox();
    const messages = new TypedMailbox(mailbox, { n: slowEven });
    const error = await messages.send({ type: 'n', from: 'a', to: 'b', payload: 3 }).catch((caught: unknown) => caught);
    expect((error as ValidationError).issues).toEqual([{ message: 'must be even', path: ['n'] }]);
    await messages.send({ type: 'n', from: 'a', to: 'b', payload: 2 });
    await mailbox.send({ type: 'n', from: 'legacy', to: 'b', payload: 5 });
    await messages.send({ type: 'n', from: 'a', to: 'b', payload: 4 });
    expect((await messages.receive('b')).map((message) => message.payload)).toEqual([2, 4]);
    const seen: number[] = [];
    await messages.subscribe('n', (message) => void seen.push(message.payload));
    await messages.publish({ type: 'n', from: 'a', payload: 8 });
    await mailbox.publish({ type: 'n', from: 'legacy', payload: 7 });
    await expect.poll(() => seen).toEqual([8]);
  });

  it('refuses a value when the schema answers something that is not a Standard Schema result, with InvalidInputError', async () => {
    const broken = { '~standard': { version: 1, vendor: 'broken', validate: () => 'ok' } } as unknown as StandardSchemaV1<string, string>;
    const messages = new TypedMailbox(new InMemoryMailbox(), { note: broken });
    const error = await messages.send({ type: 'note', from: 'a', to: 'b', payload: 'hello' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toContain('TypedMailbox: message "note"');
  });

  it('still hands over the valid messages of a batch when the schema fails on another one (they are already taken from the inbox)', async () => {
    const crashed = new Error('schema crashed');
    const fragile = { '~standard': { version: 1, vendor: 'fragile', validate: (value: unknown) => { if (value === 'poison') throw crashed; return { value }; } } } as unknown as StandardSchemaV1<string, string>;
    const mailbox = new InMemoryMailbox();
    const messages = new TypedMailbox(mailbox, { note: fragile });
    await mailbox.send({ type: 'note', from: 'a', to: 'b', payload: 'poison' });
    await mailbox.send({ type: 'note', from: 'a', to: 'b', payload: 'hello' });
    const reported: unknown[] = [];
    const original = globalThis.reportError;
    globalThis.reportError = (error: unknown) => void reported.push(error);
    try {
      expect((await messages.receive('b')).map((message) => message.payload)).toEqual(['hello']);
      await Promise.resolve();
      expect(reported).toEqual([crashed]);
    } finally {
      globalThis.reportError = original;
    }
  });

  it('refuses a value when the schema answers {} (neither value nor issues) instead of sending undefined', async () => {
    const empty = { '~standard': { version: 1, vendor: 'broken', validate: () => ({}) } } as unknown as StandardSchemaV1<string, string>;
    const mailbox = new InMemoryMailbox();
    const messages = new TypedMailbox(mailbox, { note: empty });
    const error = await messages.send({ type: 'note', from: 'a', to: 'b', payload: 'hello' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(await mailbox.receive('b')).toEqual([]);
  });
});
