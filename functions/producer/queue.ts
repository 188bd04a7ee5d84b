/**
 * The bounded buffer between the poller and the Kafka sender. Capacity counts
 * what is queued AND what the sender has taken but not yet finished, so memory
 * stays bounded while a slow broker holds a batch. A full queue makes put()
 * wait: the poller stops reading the source instead of buffering without end.
 */
import type { Clock } from './clock';

export class QueueClosedError extends Error {
  constructor() {
    super('the queue is closed');
    this.name = 'QueueClosedError';
  }
}

export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  private inFlight = 0;
  private closed = false;
  private spaceWaiters: (() => void)[] = [];
  private itemWaiters: (() => void)[] = [];
  /** the most ever held at once (queued + in flight) */
  highWater = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`queue capacity ${capacity} is not a positive integer`);
  }

  get queued(): number {
    return this.items.length - this.head;
  }

  get held(): number {
    return this.queued + this.inFlight;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Adds an item when there is room; false when full (the caller then awaits put). */
  tryPut(item: T): boolean {
    if (this.closed) throw new QueueClosedError();
    if (this.held >= this.capacity) return false;
    this.items.push(item);
    if (this.held > this.highWater) this.highWater = this.held;
    this.wake('items');
    return true;
  }

  /** Adds an item, waiting for room. */
  async put(item: T): Promise<void> {
    while (!this.tryPut(item)) await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
  }

  /** No more puts; takeBatch drains what is left, then returns []. */
  close(): void {
    this.closed = true;
    this.wake('items');
    this.wake('space');
  }

  /**
   * Waits for at least one item, then up to lingerMs for the batch to fill;
   * the items taken count as in flight until release(). [] once closed and empty.
   */
  async takeBatch(max: number, lingerMs: number, clock: Clock): Promise<T[]> {
    while (this.queued === 0 && !this.closed) await this.nextItemEvent();
    if (this.queued < max && lingerMs > 0 && !this.closed) {
      const linger = new AbortController();
      let expired = false;
      void clock.sleep(lingerMs, linger.signal).then(() => {
        expired = true;
        this.wake('items');
      });
      while (!expired && this.queued < max && !this.closed) await this.nextItemEvent();
      linger.abort();
    }
    const n = Math.min(max, this.queued);
    const batch = this.items.slice(this.head, this.head + n);
    this.head += n;
    // compact now and then rather than shift() per item
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.inFlight += n;
    return batch;
  }

  /** The sender is done with n items (sent or dropped): their room is free again. */
  release(n: number): void {
    if (n > this.inFlight) throw new Error(`release(${n}) with only ${this.inFlight} in flight`);
    this.inFlight -= n;
    this.wake('space');
  }

  /** Empties the queue (shutdown gave up); returns how many items were discarded. */
  discard(): number {
    const n = this.queued;
    this.items = [];
    this.head = 0;
    this.wake('space');
    return n;
  }

  private nextItemEvent(): Promise<void> {
    return new Promise<void>((resolve) => this.itemWaiters.push(resolve));
  }

  private wake(which: 'items' | 'space'): void {
    const waiters = which === 'items' ? this.itemWaiters : this.spaceWaiters;
    if (waiters.length === 0) return;
    if (which === 'items') this.itemWaiters = [];
    else this.spaceWaiters = [];
    for (const w of waiters) w();
  }
}
