/**
 * A mutex in shared memory that works across processes (spec 5.1.3
 * create_mutex, acquire_lock, release_lock), robust against its holder's
 * death and with deadlock detection. The protocol (runtime/sync/README.md):
 *
 * - the lock word holds the owner's participant number (0 = free) and three
 *   flags: WAITERS (someone may be parked: unlock must wake), LOCALQ (tasks of
 *   the owning process are queued locally), POISON (a holder died);
 * - uncontended: one compareExchange to lock, one to unlock; no addon call,
 *   no allocation;
 * - contended by another process: set WAITERS, record what we wait for in our
 *   participant entry, walk the wait-for graph (a cycle back to us is
 *   DeadlockDetected), park on the word with the addon's futexWait (an addon
 *   thread blocks, never the event loop) in 20 ms slices; after each slice,
 *   check that the owner is alive: a dead owner's lock is taken over and the
 *   taker gets MutexPoisoned (holding the lock; `markConsistent()` clears the
 *   poison, like pthread_mutex_consistent);
 * - contended by another task of the same process: queued in JS and handed
 *   over on unlock (the process is one participant, so a futex wait on its
 *   own lock would never end).
 */
import { isMainThread } from "node:worker_threads";
import { nativeShm } from "../../native/index.js";
import { IPCError } from "../errors.js";
import { LockGuard, type CreateMutexOptions, type LockOptions, type LockStats } from "./lock-guard.js";

export { LockGuard, type CreateMutexOptions, type LockOptions, type LockStats } from "./lock-guard.js";
import { defaultSyncDomain, Flag, Kind, LOCALQ, OWNER_MASK, S, WAITERS, type SyncDomain } from "./domain.js";
import { cancelledError, deadlineOf, park, PARK_SLICE_MS, timeoutError, wake } from "./park.js";
import { CycleWatch, type Cycle } from "./wait-graph.js";
import { dropRank, heldRanks } from "./lock-order.js";

/** Set in a lock word while the mutex is poisoned (a holder died and nobody marked it consistent). */
export const POISON = 0x10000000;
/**
 * Set, with no owner, by an unlock that woke a parked waiter: only a waiter
 * that has parked at least once may take the lock then, so the unlocking
 * process (or a newcomer) cannot barge back in ahead of the woken one (it
 * would win every time: its CAS is nanoseconds away, the waiter's wake-up an
 * event-loop turn). Keeps the hand-off between processes fair.
 */
export const HANDOFF = 0x08000000;
/** The owner field of a destroyed mutex: no participant has it, so every CAS from 0 fails. */
const DESTROYED_OWNER = OWNER_MASK;

/** One contended acquisition in progress (see #startWait). */
interface WaitState {
  readonly timeoutMs: number | undefined;
  readonly deadline: number;
  readonly started: number;
  readonly cycles: CycleWatch;
  /** Parked at least once (may take a HANDOFF word). */
  parked: boolean;
  counted: boolean;
}

interface LocalWaiter {
  resolve(): void;
  reject(error: IPCError): void;
  timer: NodeJS.Timeout | undefined;
}

/** A cross-process mutex; see the file comment. */
export class Mutex {
  readonly stats: LockStats = { acquisitions: 0, contended: 0, waitMs: 0, poisoned: 0, deadlocks: 0 };
  readonly #w: Int32Array;
  readonly #i: number;
  readonly #at: number;
  readonly #me: number;
  /** Tasks of this process queued for it: shared by every handle of this mutex in this domain object (see SyncDomain.localQueue). */
  readonly #local: LocalWaiter[];
  readonly #defaultTimeout: number | undefined;
  readonly #ordered: boolean;

  private constructor(
    readonly domain: SyncDomain,
    readonly slot: number,
    readonly name: string,
    defaultTimeout: number | undefined,
  ) {
    this.#w = domain.words;
    this.#at = domain.slotIndex(slot);
    this.#i = this.#at + S.word;
    this.#me = domain.me;
    this.#local = domain.localQueue<LocalWaiter>(slot);
    this.#defaultTimeout = defaultTimeout;
    this.#ordered = domain.enforceLockOrder;
  }

  /** Creates the mutex `name` (spec create_mutex); MutexAlreadyExists when it exists. */
  static create(name: string, options: CreateMutexOptions = {}): Mutex {
    const domain = options.domain ?? defaultSyncDomain();
    const { slot } = domain.lookup(name, Kind.Mutex, "create", (at) => {
      domain.words[at + S.rank] = options.rank ?? 0;
    });
    if (slot < 0) throw new IPCError("MutexAlreadyExists", `a mutex named ${JSON.stringify(name)} already exists`, { context: { name } });
    if (options.rank === undefined) domain.words[domain.slotIndex(slot) + S.rank] = slot + 1;
    return new Mutex(domain, slot, name, options.timeoutMs);
  }

  /** Opens the existing mutex `name`; InvalidMutex when there is none. */
  static open(name: string, options: { domain?: SyncDomain; timeoutMs?: number } = {}): Mutex {
    const domain = options.domain ?? defaultSyncDomain();
    const { slot } = domain.lookup(name, Kind.Mutex, "open", () => {});
    if (slot < 0) throw new IPCError("InvalidMutex", `no mutex named ${JSON.stringify(name)}`, { context: { name } });
    return new Mutex(domain, slot, name, options.timeoutMs);
  }

  /** This mutex's rank (lock-ordering enforcement). */
  get rank(): number {
    return this.#w[this.#at + S.rank]!;
  }

  /**
   * Takes the lock if it is free right now and returns true; false when it is
   * held. Never waits. The uncontended path: one compareExchange. Throws
   * MutexPoisoned (holding the lock) on a poisoned mutex, MutexDestroyed.
   */
  tryLock(): boolean {
    if (!this.#ordered && Atomics.compareExchange(this.#w, this.#i, 0, this.#me) === 0) {
      this.stats.acquisitions++;
      return true;
    }
    return this.#tryLockSlow();
  }

  /** Releases a lock taken with {@link tryLock} or {@link lockSync} (guards call it too). LockNotOwned when this participant does not hold it. */
  unlock(): void {
    if (this.#ordered || Atomics.compareExchange(this.#w, this.#i, this.#me, 0) !== this.#me) this.#unlockSlow();
  }

  /**
   * Acquires the lock (spec acquire_lock), waiting without blocking the event
   * loop. Rejects with TimeoutExpired, Cancelled (signal), MutexPoisoned
   * (then holding the lock: `error.context.guard`), DeadlockDetected,
   * MutexDestroyed.
   */
  lock(options: LockOptions = {}): Promise<LockGuard> {
    if (!this.#ordered && Atomics.compareExchange(this.#w, this.#i, 0, this.#me) === 0) {
      this.stats.acquisitions++;
      return Promise.resolve(new LockGuard(this, false));
    }
    return this.#lockSlow(options);
  }

  /**
   * The blocking form, for worker threads only (it parks the calling thread
   * in the kernel): InvalidArgument on the main thread. Release with
   * {@link unlock}. Same errors as {@link lock}.
   */
  lockSync(options: { timeoutMs?: number } = {}): void {
    if (isMainThread) throw new IPCError("InvalidArgument", "lockSync blocks its thread: use it in worker threads only (await lock() on the main thread)");
    if (this.#ordered) this.#checkOrder();
    const native = nativeShm();
    const wait = this.#startWait(options.timeoutMs);
    try {
      for (;;) {
        const got = this.#attempt(wait.parked);
        if (got === true) break;
        if (got === "own") throw new IPCError("DeadlockDetected", `lockSync on mutex ${this.name}, which this thread already holds`, { context: { name: this.name } });
        // Same wait-for protocol as lock().
        const slice = this.#beforePark(wait);
        const t0 = performance.now();
        const result = native.futexWaitSync(this.#w, this.#i, got, slice);
        wait.parked = true;
        if (wait.cycles.suspect) Atomics.wait(sleeper, 0, 0, Math.max(0, slice - (performance.now() - t0)));
        if (result === "timed-out") this.#checkOwnerAlive();
      }
    } catch (error) {
      throw this.#failWait(error);
    } finally {
      this.#endWait(wait);
    }
    if (this.#ordered) heldRanks(this.domain).push(this.rank);
  }

  /**
   * Marks the mutex destroyed: waiters and later users get MutexDestroyed,
   * and its name can be created anew.
   */
  destroy(): void {
    Atomics.or(this.#w, this.#at + S.flags, Flag.Destroyed);
    Atomics.store(this.#w, this.#i, DESTROYED_OWNER);
    wake(this.#w, this.#i, 0x7fffffff);
    for (const waiter of this.#local.splice(0)) waiter.reject(this.#destroyed());
  }

  /** @internal Clears the poison (see LockGuard.markConsistent). */
  markConsistent(): void {
    for (;;) {
      const v = Atomics.load(this.#w, this.#i);
      if ((v & OWNER_MASK) !== this.#me) throw new IPCError("LockNotOwned", `markConsistent on mutex ${this.name}, which this participant does not hold`);
      if (Atomics.compareExchange(this.#w, this.#i, v, v & ~POISON) === v) break;
    }
    Atomics.and(this.#w, this.#at + S.flags, ~Flag.Poisoned);
  }

  /**
   * One acquisition attempt: true (acquired), "own" (this participant holds
   * it), or the word value to park on (held by another participant, with
   * WAITERS set). Throws MutexPoisoned (acquired), MutexDestroyed.
   */
  #attempt(parked: boolean): true | "own" | number {
    const v = Atomics.load(this.#w, this.#i);
    const owner = v & OWNER_MASK;
    if (owner === DESTROYED_OWNER) throw this.#destroyed();
    if (owner === 0 && (parked || (v & HANDOFF) === 0)) {
      // Keep WAITERS: others may still be parked; whoever unlocks next wakes one.
      if (Atomics.compareExchange(this.#w, this.#i, v, (v & ~HANDOFF) | this.#me) !== v) return this.#attempt(parked);
      this.stats.acquisitions++;
      if ((v & POISON) !== 0) throw this.#poisoned();
      return true;
    }
    if (owner === this.#me) return "own";
    if ((v & WAITERS) === 0 && Atomics.compareExchange(this.#w, this.#i, v, v | WAITERS) !== v) return this.#attempt(parked);
    return v | WAITERS;
  }

  #tryLockSlow(): boolean {
    if (this.#ordered) this.#checkOrder();
    const v = Atomics.load(this.#w, this.#i);
    if ((v & OWNER_MASK) === DESTROYED_OWNER) throw this.#destroyed();
    if ((v & OWNER_MASK) !== 0 || (v & HANDOFF) !== 0) return false;
    if (Atomics.compareExchange(this.#w, this.#i, v, v | this.#me) !== v) return false;
    this.stats.acquisitions++;
    if (this.#ordered) heldRanks(this.domain).push(this.rank);
    if ((v & POISON) !== 0) throw this.#poisoned();
    return true;
  }

  #unlockSlow(): void {
    for (;;) {
      const v = Atomics.load(this.#w, this.#i);
      const owner = v & OWNER_MASK;
      if (owner === DESTROYED_OWNER) throw this.#destroyed();
      if (owner !== this.#me) {
        throw new IPCError("LockNotOwned", `mutex ${this.name} is not held by this process (owner participant ${owner})`, { context: { name: this.name, owner } });
      }
      const next = this.#local.shift();
      if (next !== undefined) {
        // Hand over to a queued task of this process: the word keeps our ownership.
        if (this.#local.length === 0) Atomics.and(this.#w, this.#i, ~LOCALQ);
        if (next.timer !== undefined) clearTimeout(next.timer);
        if (this.#ordered) dropRank(this.domain, this.rank);
        next.resolve();
        return;
      }
      if ((v & WAITERS) === 0) {
        if (Atomics.compareExchange(this.#w, this.#i, v, v & POISON) !== v) continue;
      } else {
        // Hand over to the waiter we wake, or to one on its way into the kernel (its futex wait will
        // see the word changed and come back for it); with no waiter at all, free the lock.
        const handed = (v & (POISON | WAITERS)) | HANDOFF;
        if (Atomics.compareExchange(this.#w, this.#i, v, handed) !== v) continue;
        if (wake(this.#w, this.#i, 1) === 0 && !this.domain.hasWaiter(this.slot, this.#me)) Atomics.compareExchange(this.#w, this.#i, handed, v & POISON);
      }
      if (this.#ordered) dropRank(this.domain, this.rank);
      return;
    }
  }

  async #lockSlow(options: LockOptions): Promise<LockGuard> {
    if (this.#ordered) this.#checkOrder();
    const signal = options.signal;
    const wait = this.#startWait(options.timeoutMs);
    try {
      for (;;) {
        if (signal?.aborted) throw cancelledError(`mutex ${this.name}`);
        const got = this.#attempt(wait.parked);
        if (got === true) break;
        if (got === "own") {
          this.#countContended(wait);
          await this.#waitLocal(wait.deadline, wait.timeoutMs, signal);
          this.stats.acquisitions++;
          break;
        }
        const slice = this.#beforePark(wait);
        const t0 = performance.now();
        const result = await park(this.#w, this.#i, got, slice, signal);
        wait.parked = true;
        if (result === "cancelled") throw cancelledError(`mutex ${this.name}`);
        // While a cycle is suspected, wait out the slice however the word changed, to confirm it.
        const rest = wait.cycles.suspect ? slice - (performance.now() - t0) : 0;
        if (rest > 0) await new Promise((r) => setTimeout(r, rest));
        if (result === "timed-out") this.#checkOwnerAlive();
      }
    } catch (error) {
      throw this.#failWait(error);
    } finally {
      this.#endWait(wait);
    }
    if (this.#ordered) heldRanks(this.domain).push(this.rank);
    return new LockGuard(this, false);
  }

  /** The state of one contended acquisition (lock() and lockSync() share its steps). */
  #startWait(timeoutMs: number | undefined): WaitState {
    const ms = timeoutMs ?? this.#defaultTimeout;
    return { timeoutMs: ms, deadline: deadlineOf(ms), started: performance.now(), cycles: new CycleWatch(this.domain, this.slot), parked: false, counted: false };
  }

  #countContended(wait: WaitState): void {
    if (wait.counted) return;
    wait.counted = true;
    this.stats.contended++;
  }

  /**
   * Before parking: the wait-for steps ({@link CycleWatch}: DeadlockDetected
   * for a confirmed cycle), and the slice to park for (TimeoutExpired when no
   * time is left).
   */
  #beforePark(wait: WaitState): number {
    this.#countContended(wait);
    const cycle = wait.cycles.check();
    if (cycle !== undefined) throw this.#deadlock(cycle);
    const left = wait.deadline - performance.now();
    if (left <= 0) throw timeoutError(`mutex ${this.name}`, wait.timeoutMs);
    return Math.min(PARK_SLICE_MS, left);
  }

  /** A wait that ends in an error: a hand-off owed to us goes to the next waiter; poisonings are counted. */
  #failWait(error: unknown): unknown {
    this.#passOnHandoff();
    if (error instanceof IPCError && error.code === "MutexPoisoned") this.stats.poisoned++;
    return error;
  }

  #endWait(wait: WaitState): void {
    this.domain.setWaitingFor(0);
    this.stats.waitMs += performance.now() - wait.started;
  }

  /** Waits in this process's queue for a task of this process to hand the lock over. */
  #waitLocal(deadline: number, timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: LocalWaiter = { resolve, reject, timer: undefined };
      const remove = (error: IPCError): void => {
        const k = this.#local.indexOf(waiter);
        if (k < 0) return;
        this.#local.splice(k, 1);
        if (this.#local.length === 0) Atomics.and(this.#w, this.#i, ~LOCALQ);
        reject(error);
      };
      if (deadline !== Infinity) waiter.timer = setTimeout(() => remove(timeoutError(`mutex ${this.name}`, timeoutMs)), Math.max(0, deadline - performance.now()));
      signal?.addEventListener("abort", () => remove(cancelledError(`mutex ${this.name}`)), { once: true });
      this.#local.push(waiter);
      Atomics.or(this.#w, this.#i, LOCALQ);
    });
  }

  /** After a wait slice: a dead owner's lock is taken over, poisoned (throws MutexPoisoned holding it). */
  #checkOwnerAlive(): void {
    const v = Atomics.load(this.#w, this.#i);
    const owner = v & OWNER_MASK;
    if (owner === 0 || owner === this.#me || owner === DESTROYED_OWNER) return;
    if (this.domain.participantAlive(owner)) return;
    // Take it over: keep WAITERS (others may be parked), mark it poisoned.
    if (Atomics.compareExchange(this.#w, this.#i, v, (v & WAITERS) | POISON | this.#me) !== v) return;
    Atomics.or(this.#w, this.#at + S.flags, Flag.Poisoned);
    this.stats.acquisitions++;
    throw this.#poisoned();
  }

  /** A waiter giving up (timeout, cancel, deadlock) may have been the one a hand-off was meant for: wake another, or free the lock. */
  #passOnHandoff(): void {
    const v = Atomics.load(this.#w, this.#i);
    if ((v & OWNER_MASK) !== 0 || (v & HANDOFF) === 0) return;
    if (wake(this.#w, this.#i, 1) === 0 && !this.domain.hasWaiter(this.slot, this.#me)) Atomics.compareExchange(this.#w, this.#i, v, v & POISON);
  }

  #poisoned(): IPCError {
    const guard = new LockGuard(this, true);
    return new IPCError(
      "MutexPoisoned",
      `mutex ${this.name}: its previous holder died while holding it; you hold it now — repair the state and call error.context.guard.markConsistent(), then release`,
      { context: { name: this.name, guard } },
    );
  }

  #destroyed(): IPCError {
    return new IPCError("MutexDestroyed", `mutex ${this.name} was destroyed`, { context: { name: this.name } });
  }

  #deadlock(cycle: Cycle): IPCError {
    this.stats.deadlocks++;
    return new IPCError("DeadlockDetected", `waiting for mutex ${this.name} would deadlock: ${cycle.description}`, {
      context: { name: this.name, cycle: cycle.pids },
    });
  }

  #checkOrder(): void {
    // Held by this participant (another task of this process): lock() queues locally, tryLock() fails; no order is broken.
    if ((Atomics.load(this.#w, this.#i) & OWNER_MASK) === this.#me) return;
    const held = heldRanks(this.domain);
    const top = held.length === 0 ? -Infinity : Math.max(...held);
    if (this.rank <= top) {
      this.stats.deadlocks++;
      throw new IPCError("DeadlockDetected", `lock order: mutex ${this.name} (rank ${this.rank}) taken while holding rank ${top}; take locks in increasing rank`, {
        context: { name: this.name, rank: this.rank, held: [...held] },
      });
    }
  }
}

/** lockSync's sleep while it confirms a suspected cycle (Atomics.wait on a word nobody changes). */
const sleeper = new Int32Array(new SharedArrayBuffer(4));
