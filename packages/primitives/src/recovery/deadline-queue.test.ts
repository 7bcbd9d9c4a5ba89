import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@tta/primitives/testing';
import { DeadlineQueue, type DeadlineWaiter, type DurationList } from './deadline-queue.js';
import { expectNoLeakedResources } from '../../test-support/leak-check.js';

afterEach(expectNoLeakedResources);

class Waiter implements DeadlineWaiter {
  _dueAt = 0;
  _previous: DeadlineWaiter | undefined = undefined;
  _next: DeadlineWaiter | undefined = undefined;
  _list: DurationList | undefined = undefined;
  constructor(
    private readonly log: string[],
    private readonly label: string,
    private readonly clock: ManualClock,
  ) {}
  onDeadline(): void {
    this.log.push(`${this.label}@${this.clock.now()}`);
  }
}

describe('DeadlineQueue', () => {
  it('fires every waiter at its own deadline, never early, across durations and removals', () => {
    const clock = new ManualClock();
    const queue = new DeadlineQueue(clock);
    const log: string[] = [];
    const a = new Waiter(log, 'a', clock);
    const b = new Waiter(log, 'b', clock);
    const c = new Waiter(log, 'c', clock);
    const d = new Waiter(log, 'd', clock);
    queue.add(a, 100);
    queue.add(b, 300);
    clock.advance(50);
    queue.add(c, 100); // due at 150
    queue.add(d, 30); // due at 80: re-arms the host timer earlier
    queue.remove(a); // the earliest of its list leaves; the timer is not re-armed for it
    clock.advance(1_000);
    expect(log).toEqual(['d@80', 'c@150', 'b@300']);
    expect(queue.pending).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps one host timer however many waiters, and clears it when the last one leaves', () => {
    const clock = new ManualClock();
    const queue = new DeadlineQueue(clock);
    const waiters = Array.from({ length: 1_000 }, (_, index) => new Waiter([], `${index}`, clock));
    waiters.forEach((waiter, index) => queue.add(waiter, 1_000 + (index % 7)));
    expect(clock.pendingTimers).toBe(1);
    waiters.forEach((waiter) => queue.remove(waiter));
    queue.remove(waiters[0]!); // removing twice is harmless
    expect(queue.pending).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('lets a firing waiter add a new waiter', () => {
    const clock = new ManualClock();
    const queue = new DeadlineQueue(clock);
    const log: string[] = [];
    const second = new Waiter(log, 'second', clock);
    const first = new (class extends Waiter {
      override onDeadline(): void {
        super.onDeadline();
        queue.add(second, 10);
      }
    })(log, 'first', clock);
    queue.add(first, 10);
    clock.advance(100);
    expect(log).toEqual(['first@10', 'second@20']);
    expect(clock.pendingTimers).toBe(0);
  });
});
