/**
 * A counting semaphore in shared memory (spec 3.1.2: resource counting and
 * limiting), across processes. Words of its slot: `word` = the count (the
 * futex word), `a` = waiters, `b` = the maximum (0: none). acquire takes one
 * unit, waiting while the count is 0; release(n) adds n and wakes up to n
 * waiters. Units are not owned: a process that dies holding units does not
 * give them back (use timeouts, or a mutex, where that matters).
 */
import { IPCError } from "../errors.js";
import { SlotPrimitive } from "./slot-primitive.js";
import { defaultSyncDomain, Flag, Kind, S, type SyncDomain } from "./domain.js";
import { cancelledError, deadlineOf, park, PARK_SLICE_MS, timeoutError, wake } from "./park.js";

/** A cross-process counting semaphore; see the file comment. */
export class Semaphore extends SlotPrimitive {
  private constructor(
    domain: SyncDomain,
    slot: number,
    name: string,
  ) {
    super(domain, slot, name);
  }

  /** Creates the semaphore `name` with `initial` units (and at most `max`, if given); MutexAlreadyExists when the name is taken. */
  static create(name: string, initial: number, options: { max?: number; domain?: SyncDomain } = {}): Semaphore {
    const max = options.max ?? 0;
    if (!Number.isInteger(initial) || initial < 0 || initial > 0x7fffffff || !Number.isInteger(max) || max < 0 || (max > 0 && initial > max)) {
      throw new IPCError("InvalidArgument", `a semaphore needs 0 <= initial (${initial}) <= max (${options.max ?? "none"}) < 2^31`);
    }
    const domain = options.domain ?? defaultSyncDomain();
    const { slot } = domain.lookup(name, Kind.Semaphore, "create", (at) => {
      domain.words[at + S.word] = initial;
      domain.words[at + S.b] = max;
    });
    if (slot < 0) throw new IPCError("MutexAlreadyExists", `a semaphore named ${JSON.stringify(name)} already exists`, { context: { name } });
    return new Semaphore(domain, slot, name);
  }

  /** Opens the existing semaphore `name`; InvalidArgument when there is none. */
  static open(name: string, options: { domain?: SyncDomain } = {}): Semaphore {
    const domain = options.domain ?? defaultSyncDomain();
    const { slot } = domain.lookup(name, Kind.Semaphore, "open", () => {});
    if (slot < 0) throw new IPCError("InvalidArgument", `no semaphore named ${JSON.stringify(name)}`, { context: { name } });
    return new Semaphore(domain, slot, name);
  }

  /** Units available now. */
  get value(): number {
    return Atomics.load(this.w, this.i);
  }

  /** Takes a unit if one is free; never waits. */
  tryAcquire(): boolean {
    this.checkAlive("MutexDestroyed", "semaphore");
    for (;;) {
      const v = Atomics.load(this.w, this.i);
      if (v <= 0) return false;
      if (Atomics.compareExchange(this.w, this.i, v, v - 1) === v) return true;
    }
  }

  /** Takes a unit, waiting for one; rejects with TimeoutExpired, Cancelled, MutexDestroyed. */
  async acquire(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    const deadline = deadlineOf(options.timeoutMs);
    const what = `semaphore ${this.name}`;
    Atomics.add(this.w, this.at + S.a, 1);
    try {
      for (;;) {
        if (this.tryAcquire()) return;
        if (options.signal?.aborted) throw cancelledError(what);
        const left = deadline - performance.now();
        if (left <= 0) throw timeoutError(what, options.timeoutMs);
        if ((await park(this.w, this.i, 0, Math.min(PARK_SLICE_MS * 50, left), options.signal)) === "cancelled") throw cancelledError(what);
      }
    } finally {
      Atomics.sub(this.w, this.at + S.a, 1);
    }
  }

  /** Gives back `n` units (default 1) and wakes up to `n` waiters; InvalidArgument past the maximum. */
  release(n = 1): void {
    this.checkAlive("MutexDestroyed", "semaphore");
    if (!Number.isInteger(n) || n < 1) throw new IPCError("InvalidArgument", `release(n) needs an integer n >= 1, got ${n}`);
    const max = Atomics.load(this.w, this.at + S.b);
    for (;;) {
      const v = Atomics.load(this.w, this.i);
      if ((max > 0 && v + n > max) || v + n > 0x7fffffff) {
        throw new IPCError("InvalidArgument", `semaphore ${this.name}: releasing ${n} would exceed its maximum (${max || 0x7fffffff}; now ${v})`);
      }
      if (Atomics.compareExchange(this.w, this.i, v, v + n) === v) break;
    }
    if (Atomics.load(this.w, this.at + S.a) > 0) wake(this.w, this.i, n);
  }

  /** Marks it destroyed: waiters and later users get MutexDestroyed. */
  destroy(): void {
    Atomics.or(this.w, this.at + S.flags, Flag.Destroyed);
    wake(this.w, this.i, 0x7fffffff);
  }

}
