/**
 * Call deadlines without one timer per call and without a Map entry per call.
 *
 * Calls with the same timeout expire in the order they started, so each
 * distinct timeout value keeps its calls in a FIFO ring with one timer armed
 * for the oldest. The owner's own object is the entry (it carries
 * `expiresAt` and `timed`): adding is a push onto the ring, removing marks the
 * entry and pops settled entries off the front — in the usual case, calls
 * settling in the order they started, the ring stays as short as the number
 * of calls in flight. A timer only wakes when the oldest call of its bucket is
 * due (or was settled, and the timer re-arms for the next).
 *
 * Why not a Map per bucket: a long-lived Map that gains and loses an entry per
 * call reallocates its hash table every few operations, and V8 allocates the
 * table of a Map that lives in the old generation in the old generation too.
 * At tens of thousands of calls a second that was ~300 bytes of old-space
 * garbage per call, reclaimed only by full mark-compact collections.
 */

/** setTimeout's largest delay. */
const MAX_DELAY_MS = 2_147_483_647;
/** Rings start this long (a power of two). */
const INITIAL_RING = 8;
/** A ring that empties while longer than this goes back to INITIAL_RING (after a burst). */
const SHRINK_ABOVE = 1024;

/** What {@link Deadlines} keeps on an entry; the owner only reads them. */
export interface Timed {
  /** `performance.now()` time at which the entry expires (set by `add`). */
  expiresAt: number;
  /** True from `add` until the entry expires or is removed. */
  timed: boolean;
}

interface Bucket<T extends Timed> {
  /** FIFO of entries in the order added (settled ones are skipped); capacity a power of two. */
  ring: Array<T | undefined>;
  head: number;
  /** Slots in use from `head`, settled entries included. */
  count: number;
  /** Entries still timed. */
  live: number;
  timer: NodeJS.Timeout | undefined;
}

/** Expiry tracking for entries with per-entry timeouts; see the file comment. */
export class Deadlines<T extends Timed> {
  private readonly buckets = new Map<number, Bucket<T>>();

  constructor(private readonly onExpire: (entry: T) => void) {}

  /** Entries being tracked (for tests and monitoring). */
  get size(): number {
    let n = 0;
    for (const bucket of this.buckets.values()) n += bucket.live;
    return n;
  }

  /** Ring slots allocated over all timeouts (for tests and monitoring: memory after a burst). */
  get slots(): number {
    let n = 0;
    for (const bucket of this.buckets.values()) n += bucket.ring.length;
    return n;
  }

  /** Starts tracking `entry`, which expires `timeoutMs` from now (not tracked when not finite). */
  add(entry: T, timeoutMs: number): void {
    if (!Number.isFinite(timeoutMs)) {
      entry.timed = false;
      return;
    }
    let bucket = this.buckets.get(timeoutMs);
    if (bucket === undefined) {
      bucket = { ring: new Array<T | undefined>(INITIAL_RING).fill(undefined), head: 0, count: 0, live: 0, timer: undefined };
      this.buckets.set(timeoutMs, bucket);
    }
    entry.expiresAt = performance.now() + timeoutMs;
    entry.timed = true;
    if (bucket.count === bucket.ring.length) grow(bucket);
    bucket.ring[(bucket.head + bucket.count) & (bucket.ring.length - 1)] = entry;
    bucket.count++;
    bucket.live++;
    if (bucket.timer === undefined) this.arm(bucket, timeoutMs);
  }

  /** Stops tracking `entry` (added with `timeoutMs`); nothing happens if it is not tracked. */
  remove(entry: T, timeoutMs: number): void {
    if (!entry.timed) return;
    entry.timed = false;
    const bucket = this.buckets.get(timeoutMs);
    if (bucket === undefined) return;
    bucket.live--;
    popSettled(bucket);
    // Settled entries stuck behind a long-pending one: squeeze them out once they dominate.
    if (bucket.count >= 64 && bucket.live * 4 < bucket.count) compact(bucket);
  }

  /** Stops every timer and forgets every entry. */
  clear(): void {
    for (const bucket of this.buckets.values()) {
      if (bucket.timer) clearTimeout(bucket.timer);
      for (let i = 0; i < bucket.count; i++) {
        const entry = bucket.ring[(bucket.head + i) & (bucket.ring.length - 1)];
        if (entry !== undefined) entry.timed = false;
      }
    }
    this.buckets.clear();
  }

  private arm(bucket: Bucket<T>, delayMs: number): void {
    // Unref'd: a pending call's open connection keeps the process alive, and an
    // idle client must not be held up until a settled call's old deadline.
    bucket.timer = setTimeout(() => this.fire(bucket), Math.min(MAX_DELAY_MS, Math.max(0, delayMs))).unref();
  }

  private fire(bucket: Bucket<T>): void {
    bucket.timer = undefined;
    for (;;) {
      popSettled(bucket);
      if (bucket.count === 0) return;
      const entry = bucket.ring[bucket.head] as T;
      const now = performance.now();
      if (entry.expiresAt > now + 0.5) {
        this.arm(bucket, Math.ceil(entry.expiresAt - now));
        return;
      }
      entry.timed = false;
      bucket.live--;
      bucket.ring[bucket.head] = undefined;
      bucket.head = (bucket.head + 1) & (bucket.ring.length - 1);
      bucket.count--;
      this.onExpire(entry);
    }
  }
}

/** Drops settled entries from the front of the ring; a long ring left empty goes back to its initial size. */
function popSettled<T extends Timed>(bucket: Bucket<T>): void {
  const mask = bucket.ring.length - 1;
  while (bucket.count > 0) {
    const entry = bucket.ring[bucket.head];
    if (entry !== undefined && entry.timed) return;
    bucket.ring[bucket.head] = undefined;
    bucket.head = (bucket.head + 1) & mask;
    bucket.count--;
  }
  if (bucket.ring.length > SHRINK_ABOVE) {
    bucket.ring = new Array<T | undefined>(INITIAL_RING).fill(undefined);
    bucket.head = 0;
  }
}

/** Doubles the ring, keeping the order. */
function grow<T extends Timed>(bucket: Bucket<T>): void {
  const old = bucket.ring;
  const ring = new Array<T | undefined>(old.length * 2).fill(undefined);
  for (let i = 0; i < bucket.count; i++) ring[i] = old[(bucket.head + i) & (old.length - 1)];
  bucket.ring = ring;
  bucket.head = 0;
}

/** Keeps only the timed entries, in order (a fresh ring of the same size; rare). */
function compact<T extends Timed>(bucket: Bucket<T>): void {
  const old = bucket.ring;
  const ring = new Array<T | undefined>(old.length).fill(undefined);
  let n = 0;
  for (let i = 0; i < bucket.count; i++) {
    const entry = old[(bucket.head + i) & (old.length - 1)];
    if (entry !== undefined && entry.timed) ring[n++] = entry;
  }
  bucket.ring = ring;
  bucket.head = 0;
  bucket.count = n;
}
