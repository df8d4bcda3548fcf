/**
 * Call deadlines without one timer per call. Calls with the same timeout
 * expire in the order they started, so each distinct timeout value keeps its
 * deadlines in an insertion-ordered Map with one timer armed for the oldest.
 * Settling a call is a Map delete; a timer only wakes when the oldest call of
 * its bucket is due (or was settled, and the timer re-arms for the next).
 */

/** setTimeout's largest delay. */
const MAX_DELAY_MS = 2_147_483_647;

interface Bucket<K> {
  readonly entries: Map<K, number>;
  timer: NodeJS.Timeout | undefined;
}

/** Expiry tracking for keys with per-key timeouts; see the file comment. */
export class Deadlines<K> {
  private readonly buckets = new Map<number, Bucket<K>>();

  constructor(private readonly onExpire: (key: K) => void) {}

  /** Starts tracking `key`, which expires `timeoutMs` from now (ignored when not finite). */
  add(key: K, timeoutMs: number): void {
    if (!Number.isFinite(timeoutMs)) return;
    let bucket = this.buckets.get(timeoutMs);
    if (!bucket) {
      bucket = { entries: new Map(), timer: undefined };
      this.buckets.set(timeoutMs, bucket);
    }
    bucket.entries.set(key, performance.now() + timeoutMs);
    if (!bucket.timer) this.arm(bucket, timeoutMs);
  }

  /** Stops tracking `key` (added with `timeoutMs`). */
  remove(key: K, timeoutMs: number): void {
    this.buckets.get(timeoutMs)?.entries.delete(key);
  }

  /** Stops every timer. */
  clear(): void {
    for (const bucket of this.buckets.values()) {
      if (bucket.timer) clearTimeout(bucket.timer);
      bucket.entries.clear();
    }
    this.buckets.clear();
  }

  private arm(bucket: Bucket<K>, delayMs: number): void {
    // Unref'd: a pending call's open connection keeps the process alive, and an
    // idle client must not be held up until a settled call's old deadline.
    bucket.timer = setTimeout(() => this.fire(bucket), Math.min(MAX_DELAY_MS, Math.max(0, delayMs))).unref();
  }

  private fire(bucket: Bucket<K>): void {
    bucket.timer = undefined;
    const now = performance.now();
    for (const [key, deadline] of bucket.entries) {
      if (deadline > now + 0.5) {
        this.arm(bucket, Math.ceil(deadline - now));
        return;
      }
      bucket.entries.delete(key);
      this.onExpire(key);
    }
  }
}
