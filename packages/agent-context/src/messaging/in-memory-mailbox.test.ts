import { describe, it, expect } from 'vitest';
import { InvalidInputError, InvalidOptionsError } from '@tta/primitives';
import { InMemoryMailbox } from './in-memory-mailbox.js';
import { describeMailboxContract } from '../testing/mailbox-suite.js';

describeMailboxContract('InMemoryMailbox', async ({ clock }) => new InMemoryMailbox({ clock }));

describe('InMemoryMailbox', () => {
  it('reports a listener that rejects and still delivers to the others', async () => {
    const mailbox = new InMemoryMailbox();
    const errors: unknown[] = [];
    const seen: unknown[] = [];
    const original = globalThis.reportError;
    globalThis.reportError = (error: unknown) => void errors.push(error);
    try {
      await mailbox.subscribe('t', () => Promise.reject(new Error('async bug')));
      await mailbox.subscribe('t', (message) => void seen.push(message.payload));
      await mailbox.publish({ type: 't', from: 'x', payload: 1 });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      globalThis.reportError = original;
    }
    expect(seen).toEqual([1]);
    expect(errors).toHaveLength(1);
  });

  it('refuses a direct message without a recipient, type or sender with InvalidInputError', async () => {
    const mailbox = new InMemoryMailbox();
    await expect(mailbox.send({ type: 't', from: 'x', to: '', payload: 1 })).rejects.toThrow(InvalidInputError);
    await expect(mailbox.send({ type: 't', from: 'x', to: '', payload: 1 })).rejects.toThrow('Mailbox.send: "to" must be a non-empty agent id (got "")');
    await expect(mailbox.send(null as never)).rejects.toThrow('Mailbox.send: message must be an object (got null)');
    await expect(mailbox.send({ type: Object.create(null) as string, from: 'x', to: 'y', payload: 1 })).rejects.toThrow('Mailbox: message "type" must be a non-empty string (got an object)');
    await expect(mailbox.publish({ type: 't', from: '', payload: 1 })).rejects.toThrow(InvalidInputError);
    await expect(mailbox.publish({ type: 't', from: '', payload: 1 })).rejects.toThrow('Mailbox: message "from" must be a non-empty agent id (got "")');
  });

  it('refuses bad options with InvalidOptionsError', () => {
    expect(() => new InMemoryMailbox(null as never)).toThrow(InvalidOptionsError);
    expect(() => new InMemoryMailbox(null as never)).toThrow('InMemoryMailbox: option "options" must be an object when given (got null)');
    expect(() => new InMemoryMailbox({ clock: {} as never })).toThrow('InMemoryMailbox: option "clock" must be a Clock (got an object)');
  });
});
