/**
 * A least-recently-used map bounded by entries and by (estimated) bytes. A warm
 * Lambda keeps its caches for hours: without a bound, lookups over many distinct
 * dates grew the heap by ~26 KB a date until the function ran out of memory.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, { value: V; bytes: number }>();
  private total = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {
    if (!(maxEntries >= 1) || !(maxBytes >= 1)) throw new Error(`BoundedCache needs maxEntries ≥ 1 and maxBytes ≥ 1, got ${maxEntries} and ${maxBytes}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** the estimated bytes held */
  get bytes(): number {
    return this.total;
  }

  get(key: K): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    // re-inserted: a Map iterates in insertion order, so the first key is the least recently used
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  /** Holds value under key; an entry larger than the whole budget is not kept at all. */
  set(key: K, value: V, bytes: number): void {
    this.delete(key);
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { value, bytes });
    this.total += bytes;
    this.evict();
  }

  /** Corrects the size of an entry once it is known (a promise that resolved), if it still holds that value. */
  resize(key: K, value: V, bytes: number): void {
    const e = this.entries.get(key);
    if (!e || e.value !== value) return;
    if (bytes > this.maxBytes) {
      this.delete(key);
      return;
    }
    this.total += bytes - e.bytes;
    e.bytes = bytes;
    this.evict();
  }

  delete(key: K): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.total -= e.bytes;
  }

  private evict(): void {
    for (const [key, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.total <= this.maxBytes) return;
      this.entries.delete(key);
      this.total -= e.bytes;
    }
  }
}
