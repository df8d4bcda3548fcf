/**
 * What rwlocks, condition variables and semaphores share: a named slot of a
 * sync domain, its futex word, and the destroyed check. (The mutex keeps its
 * own fields: its uncontended path must stay two compareExchange calls.)
 */
import { IPCError, type IPCErrorCode } from "../errors.js";
import { Flag, S, type SyncDomain } from "./domain.js";

export abstract class SlotPrimitive {
  /** The domain's words. */
  protected readonly w: Int32Array;
  /** Index of the slot's first word. */
  protected readonly at: number;
  /** Index of the slot's futex word. */
  protected readonly i: number;

  protected constructor(
    readonly domain: SyncDomain,
    readonly slot: number,
    readonly name: string,
  ) {
    this.w = domain.words;
    this.at = domain.slotIndex(slot);
    this.i = this.at + S.word;
  }

  /** Word `k` of the slot (S.a, S.b, ...). */
  protected word(k: number): number {
    return Atomics.load(this.w, this.at + k);
  }

  /** Throws `code` (MutexDestroyed or ConditionDestroyed) once the primitive was destroyed. */
  protected checkAlive(code: IPCErrorCode, what: string): void {
    if ((Atomics.load(this.w, this.at + S.flags) & Flag.Destroyed) !== 0) {
      throw new IPCError(code, `${what} ${this.name} was destroyed`, { context: { name: this.name } });
    }
  }
}
