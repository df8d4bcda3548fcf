/**
 * The mutex's public companions: the guard that proves holding it (spec
 * LockGuard), its options and its contention counters (runtime/sync/mutex.ts).
 */
import { IPCError } from "../errors.js";
import type { SyncDomain } from "./domain.js";
import type { Mutex } from "./mutex.js";

/** Options of acquiring. */
export interface LockOptions {
  /** Give up after this long (ms) with TimeoutExpired; default: the mutex's default timeout, else wait forever. */
  timeoutMs?: number;
  /** Give up when aborted, with Cancelled. */
  signal?: AbortSignal;
}

/** Options of {@link Mutex.create}. */
export interface CreateMutexOptions {
  /** Default timeout of lock() (spec create_mutex `timeout`). */
  timeoutMs?: number;
  /** The domain (default: the process's default domain). */
  domain?: SyncDomain;
  /** Rank for lock-ordering enforcement (default: creation order). */
  rank?: number;
}

/** Counters of one mutex handle in this process (spec 6.2.2 lock-contention monitoring). */
export interface LockStats {
  acquisitions: number;
  contended: number;
  waitMs: number;
  poisoned: number;
  deadlocks: number;
}

/** Proof of holding a mutex (spec LockGuard): release it exactly once. */
export class LockGuard {
  #released = false;

  /** @internal */
  constructor(
    readonly mutex: Mutex,
    /** True when the previous holder died with it held (see {@link markConsistent}). */
    readonly poisoned: boolean,
  ) {}

  /** Releases the lock (spec release_lock). A second release is LockNotOwned; a destroyed mutex MutexDestroyed. */
  release(): void {
    if (this.#released) throw new IPCError("LockNotOwned", `this guard of mutex ${this.mutex.name} was already released`, { context: { name: this.mutex.name } });
    this.#released = true;
    this.mutex.unlock();
  }

  /** Clears the poison after repairing the protected state, so later lockers get the lock without MutexPoisoned. */
  markConsistent(): void {
    if (this.#released) throw new IPCError("LockNotOwned", `markConsistent on a released guard of ${this.mutex.name}`, { context: { name: this.mutex.name } });
    this.mutex.markConsistent();
  }

  [Symbol.dispose](): void {
    if (!this.#released) this.release();
  }
}
