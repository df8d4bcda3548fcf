/**
 * A reader-writer lock in shared memory (spec 3.1.2, 4.1.4): many readers or
 * one writer, across processes, writer-preferring (a waiting writer stops new
 * readers, so writers are not starved). Words of its slot (README):
 * `word` = -1 while a writer holds it, else the number of readers;
 * `a` = writers waiting; `owner` = the writing participant (for deadlock
 * walks and for the robustness check: a writer that died leaves the lock
 * poisoned, taken over by the next locker with MutexPoisoned). Readers are
 * counted, not named: a reader that dies holding the lock leaks its count
 * (writers then time out); use timeouts with rwlocks shared with processes
 * that may crash.
 */
import { IPCError } from "../errors.js";
import { SlotPrimitive } from "./slot-primitive.js";
import { defaultSyncDomain, Flag, Kind, S, type SyncDomain } from "./domain.js";
import { cancelledError, deadlineOf, park, PARK_SLICE_MS, timeoutError, wake } from "./park.js";
import type { LockOptions } from "./mutex.js";
import { CycleWatch } from "./wait-graph.js";

const WRITER = -1;

/** Proof of holding a rwlock for reading or writing; release it exactly once. */
export class RwLockGuard {
  #released = false;
  /** @internal */
  constructor(
    readonly lock: RwLock,
    readonly mode: "read" | "write",
  ) {}

  /** Releases it; a second release is LockNotOwned. */
  release(): void {
    if (this.#released) throw new IPCError("LockNotOwned", `this ${this.mode} guard of rwlock ${this.lock.name} was already released`);
    this.#released = true;
    this.lock.unlock(this.mode);
  }

  [Symbol.dispose](): void {
    if (!this.#released) this.release();
  }
}

/** A cross-process reader-writer lock; see the file comment. */
export class RwLock extends SlotPrimitive {
  private constructor(
    domain: SyncDomain,
    slot: number,
    name: string,
  ) {
    super(domain, slot, name);
  }

  /** Creates the rwlock `name`; MutexAlreadyExists when the name is taken. */
  static create(name: string, options: { domain?: SyncDomain } = {}): RwLock {
    const domain = options.domain ?? defaultSyncDomain();
    const { slot } = domain.lookup(name, Kind.RwLock, "create", () => {});
    if (slot < 0) throw new IPCError("MutexAlreadyExists", `a rwlock named ${JSON.stringify(name)} already exists`, { context: { name } });
    return new RwLock(domain, slot, name);
  }

  /** Opens the existing rwlock `name`; InvalidMutex when there is none. */
  static open(name: string, options: { domain?: SyncDomain } = {}): RwLock {
    const domain = options.domain ?? defaultSyncDomain();
    const { slot } = domain.lookup(name, Kind.RwLock, "open", () => {});
    if (slot < 0) throw new IPCError("InvalidMutex", `no rwlock named ${JSON.stringify(name)}`, { context: { name } });
    return new RwLock(domain, slot, name);
  }

  /** Takes a read lock if no writer holds or waits for it; never waits. */
  tryRead(): boolean {
    this.checkAlive("MutexDestroyed", "rwlock");
    const v = Atomics.load(this.w, this.i);
    return v >= 0 && Atomics.load(this.w, this.at + S.a) === 0 && Atomics.compareExchange(this.w, this.i, v, v + 1) === v;
  }

  /** Takes the write lock if it is free; never waits. */
  tryWrite(): boolean {
    this.checkAlive("MutexDestroyed", "rwlock");
    if (Atomics.compareExchange(this.w, this.i, 0, WRITER) !== 0) return false;
    Atomics.store(this.w, this.at + S.owner, this.domain.me);
    return true;
  }

  /** Acquires for reading (shared). Rejects with TimeoutExpired, Cancelled, MutexPoisoned, DeadlockDetected, MutexDestroyed. */
  async read(options: LockOptions = {}): Promise<RwLockGuard> {
    await this.#acquire("read", options);
    return new RwLockGuard(this, "read");
  }

  /** Acquires for writing (exclusive); same errors as {@link read}. */
  async write(options: LockOptions = {}): Promise<RwLockGuard> {
    Atomics.add(this.w, this.at + S.a, 1);
    try {
      await this.#acquire("write", options);
    } finally {
      Atomics.sub(this.w, this.at + S.a, 1);
    }
    return new RwLockGuard(this, "write");
  }

  /** @internal Releases (guards call it). LockNotOwned when not held in that mode. */
  unlock(mode: "read" | "write"): void {
    this.checkAlive("MutexDestroyed", "rwlock");
    if (mode === "write") {
      if (Atomics.load(this.w, this.at + S.owner) !== this.domain.me || Atomics.compareExchange(this.w, this.i, WRITER, 0) !== WRITER) {
        throw new IPCError("LockNotOwned", `rwlock ${this.name} is not write-locked by this process`);
      }
      Atomics.store(this.w, this.at + S.owner, 0);
      wake(this.w, this.i, 0x7fffffff);
      return;
    }
    for (;;) {
      const v = Atomics.load(this.w, this.i);
      if (v <= 0) throw new IPCError("LockNotOwned", `rwlock ${this.name} is not read-locked`);
      if (Atomics.compareExchange(this.w, this.i, v, v - 1) !== v) continue;
      if (v === 1) wake(this.w, this.i, 0x7fffffff);
      return;
    }
  }

  /** Marks it destroyed: waiters and later users get MutexDestroyed. */
  destroy(): void {
    Atomics.or(this.w, this.at + S.flags, Flag.Destroyed);
    Atomics.add(this.w, this.i, 0); // a store the waiters will see after the wake
    wake(this.w, this.i, 0x7fffffff);
  }

  async #acquire(mode: "read" | "write", options: LockOptions): Promise<void> {
    const deadline = deadlineOf(options.timeoutMs);
    const what = `rwlock ${this.name} (${mode})`;
    const cycles = new CycleWatch(this.domain, this.slot);
    try {
      for (;;) {
        this.checkAlive("MutexDestroyed", "rwlock");
        if (options.signal?.aborted) throw cancelledError(what);
        const v = Atomics.load(this.w, this.i);
        if (mode === "read" ? v >= 0 && Atomics.load(this.w, this.at + S.a) === 0 : v === 0) {
          if (Atomics.compareExchange(this.w, this.i, v, mode === "read" ? v + 1 : WRITER) !== v) continue;
          if (mode === "write") Atomics.store(this.w, this.at + S.owner, this.domain.me);
          return;
        }
        const writer = v === WRITER ? Atomics.load(this.w, this.at + S.owner) : 0;
        // Held by another task of this process: wait for it like for anyone (the futex wake of its unlock reaches us).
        const cycle = cycles.check(writer !== 0 && writer !== this.domain.me);
        if (cycle !== undefined) throw new IPCError("DeadlockDetected", `${what} would deadlock: ${cycle.description}`, { context: { name: this.name, cycle: cycle.pids } });
        const left = deadline - performance.now();
        if (left <= 0) throw timeoutError(what, options.timeoutMs);
        const slice = Math.min(PARK_SLICE_MS, left);
        const parked = performance.now();
        const r = await park(this.w, this.i, v, slice, options.signal);
        const rest = slice - (performance.now() - parked);
        if (cycles.suspect && r !== "cancelled" && rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
        if (r === "cancelled") throw cancelledError(what);
        if (r === "timed-out" && writer !== 0 && !this.domain.participantAlive(writer)) this.#takeOverFromDeadWriter(writer);
      }
    } finally {
      this.domain.setWaitingFor(0);
    }
  }

  /** A writer died holding the lock: free it, poisoned, and tell this caller. */
  #takeOverFromDeadWriter(writer: number): void {
    if (Atomics.compareExchange(this.w, this.at + S.owner, writer, 0) !== writer) return;
    Atomics.or(this.w, this.at + S.flags, Flag.Poisoned);
    Atomics.store(this.w, this.i, 0);
    wake(this.w, this.i, 0x7fffffff);
    throw new IPCError("MutexPoisoned", `rwlock ${this.name}: its writer died holding it; the lock is free again but the data it protects may be inconsistent`, {
      context: { name: this.name },
    });
  }

}
