import { describe, it, expect } from 'vitest';
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

  it('refuses a direct message without a recipient', async () => {
    const mailbox = new InMemoryMailbox();
    await expect(mailbox.send({ type: 't', from: 'x', to: '', payload: 1 })).rejects.toThrow(/to/);
  });
});
