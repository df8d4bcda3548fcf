/**
 * A condition variable in shared memory (spec 5.1.3 create_condition_variable,
 * wait_on_condition, notify_condition), bound to one mutex. Words of its slot:
 * `word` = a sequence number bumped by every notify (the futex word waiters
 * park on), `a` = waiters registered, `c` = the slot of its mutex.
 *
 * wait(guard): register (a += 1), read the sequence, release the mutex, park
 * until the sequence changes (or the timeout), unregister, re-acquire the
 * mutex, return the new guard. notify(all): if nobody is registered,
 * NoWaitingThreads; else bump the sequence and wake one (or all) parked
 * waiters. The count it returns is what the kernel woke: a waiter that had
 * registered but not yet parked sees the new sequence and returns at once
 * without being counted. As with every condition variable, wake-ups may be
 * spurious: re-check your predicate in a loop.
 */
import { IPCError } from "../errors.js";
import { SlotPrimitive } from "./slot-primitive.js";
import { defaultSyncDomain, Flag, Kind, S, type SyncDomain } from "./domain.js";
import type { LockGuard } from "./mutex.js";
import { Mutex } from "./mutex.js";
import { cancelledError, deadlineOf, park, wake } from "./park.js";

/** A cross-process condition variable; see the file comment. */
export class ConditionVariable extends SlotPrimitive {
  private constructor(
    domain: SyncDomain,
    slot: number,
    name: string,
    /** The mutex whose guard {@link wait} takes. */
    readonly mutex: Mutex,
  ) {
    super(domain, slot, name);
  }

  /**
   * Creates the condition variable `name` bound to `mutex` (spec
   * create_condition_variable): ConditionVariableAlreadyExists, InvalidMutex
   * (a destroyed mutex, or one of another domain).
   */
  static create(name: string, mutex: Mutex, options: { domain?: SyncDomain } = {}): ConditionVariable {
    const domain = options.domain ?? mutex.domain ?? defaultSyncDomain();
    if (!(mutex instanceof Mutex) || mutex.domain !== domain) throw new IPCError("InvalidMutex", "the mutex must be a Mutex of the same sync domain");
    if ((Atomics.load(domain.words, domain.slotIndex(mutex.slot) + S.flags) & Flag.Destroyed) !== 0) {
      throw new IPCError("InvalidMutex", `mutex ${mutex.name} was destroyed`, { context: { mutex: mutex.name } });
    }
    const { slot } = domain.lookup(name, Kind.CondVar, "create", (at) => {
      domain.words[at + S.c] = mutex.slot + 1;
    });
    if (slot < 0) throw new IPCError("ConditionVariableAlreadyExists", `a condition variable named ${JSON.stringify(name)} already exists`, { context: { name } });
    return new ConditionVariable(domain, slot, name, mutex);
  }

  /** Opens the existing condition variable `name` (with its mutex); ConditionDestroyed when there is none. */
  static open(name: string, options: { domain?: SyncDomain } = {}): ConditionVariable {
    const domain = options.domain ?? defaultSyncDomain();
    const { slot } = domain.lookup(name, Kind.CondVar, "open", () => {});
    if (slot < 0) throw new IPCError("ConditionDestroyed", `no condition variable named ${JSON.stringify(name)}`, { context: { name } });
    const mutexSlot = domain.words[domain.slotIndex(slot) + S.c]! - 1;
    return new ConditionVariable(domain, slot, name, Mutex.open(domain.nameOf(mutexSlot), { domain }));
  }

  /** Waiters registered right now (all processes). */
  get waiters(): number {
    return Atomics.load(this.w, this.at + S.a);
  }

  /**
   * Waits to be notified (spec wait_on_condition): releases `guard`'s mutex,
   * waits, re-acquires it, and resolves with the new guard. Rejects with
   * TimeoutExpired (holding the mutex again: `error.context.guard`),
   * Cancelled (likewise), ConditionDestroyed, InvalidMutex (a guard of
   * another mutex).
   */
  async wait(guard: LockGuard, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<LockGuard> {
    this.checkAlive("ConditionDestroyed", "condition variable");
    if (guard.mutex.slot !== this.mutex.slot || guard.mutex.domain !== this.domain) {
      throw new IPCError("InvalidMutex", `condition variable ${this.name} belongs to mutex ${this.mutex.name}, not ${guard.mutex.name}`);
    }
    const deadline = deadlineOf(options.timeoutMs);
    Atomics.add(this.w, this.at + S.a, 1);
    const seq = Atomics.load(this.w, this.i);
    let outcome: "ok" | "timed-out" | "cancelled" | "destroyed" = "ok";
    try {
      guard.release();
      for (;;) {
        const left = deadline - performance.now();
        if (left <= 0) {
          outcome = "timed-out";
          break;
        }
        const r = await park(this.w, this.i, seq, left, options.signal);
        if ((Atomics.load(this.w, this.at + S.flags) & Flag.Destroyed) !== 0) outcome = "destroyed";
        else if (r === "cancelled") outcome = "cancelled";
        else if (r === "timed-out" && Atomics.load(this.w, this.i) === seq) outcome = "timed-out";
        break;
      }
    } finally {
      Atomics.sub(this.w, this.at + S.a, 1);
    }
    const again = await guard.mutex.lock();
    if (outcome === "ok") return again;
    if (outcome === "destroyed") {
      again.release();
      throw new IPCError("ConditionDestroyed", `condition variable ${this.name} was destroyed while waiting`, { context: { name: this.name } });
    }
    const error = outcome === "cancelled" ? cancelledError(`condition variable ${this.name}`) : new IPCError("TimeoutExpired", `condition variable ${this.name}: not notified within ${options.timeoutMs} ms`);
    throw new IPCError(error.code, `${error.message} (the mutex is held again: error.context.guard)`, { context: { name: this.name, guard: again } });
  }

  /**
   * Wakes one waiter, or all (spec notify_condition); returns how many the
   * kernel woke. NoWaitingThreads when none is registered; ConditionDestroyed.
   */
  notify(all = false): number {
    this.checkAlive("ConditionDestroyed", "condition variable");
    if (Atomics.load(this.w, this.at + S.a) === 0) {
      throw new IPCError("NoWaitingThreads", `condition variable ${this.name} has no waiters`, { context: { name: this.name } });
    }
    Atomics.add(this.w, this.i, 1);
    return wake(this.w, this.i, all ? 0x7fffffff : 1);
  }

  /** Marks it destroyed: waiters and later users get ConditionDestroyed. */
  destroy(): void {
    Atomics.or(this.w, this.at + S.flags, Flag.Destroyed);
    Atomics.add(this.w, this.i, 1);
    wake(this.w, this.i, 0x7fffffff);
  }

}
