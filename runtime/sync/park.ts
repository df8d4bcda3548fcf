/**
 * Parking a waiter on a word in shared memory without blocking the event
 * loop: the addon's futexWait on an addon thread, in slices, so that the
 * caller can re-check things the kernel does not signal (an owner that died,
 * a deadlock that formed after it parked), with a deadline and an
 * AbortSignal.
 */
import { nativeShm, type FutexWaitResult } from "../../native/index.js";
import { IPCError } from "../errors.js";

/** How long one park lasts at most before the waiter re-checks (ms): bounds how late a dead owner is noticed. */
export const PARK_SLICE_MS = 20;

/** Parks while `words[index] === expected`, at most `ms`; resolves with why it returned ("cancelled" on abort). */
export function park(words: Int32Array, index: number, expected: number, ms: number, signal: AbortSignal | undefined): Promise<FutexWaitResult> {
  const native = nativeShm();
  return new Promise((resolve) => {
    let onAbort: (() => void) | undefined;
    const id = native.futexWait(words, index, expected, ms, (result) => {
      if (onAbort !== undefined) signal!.removeEventListener("abort", onAbort);
      resolve(result);
    });
    if (signal !== undefined) {
      onAbort = () => native.futexCancel(id);
      signal.addEventListener("abort", onAbort, { once: true });
    }
  });
}

/** Wakes up to `count` waiters parked on `words[index]` in any process; returns how many. */
export function wake(words: Int32Array, index: number, count: number): number {
  return nativeShm().futexWake(words, index, count);
}

/** A deadline helper: remaining ms (Infinity without a timeout). */
export function deadlineOf(timeoutMs: number | undefined): number {
  if (timeoutMs === undefined || timeoutMs === Infinity) return Infinity;
  if (!(timeoutMs >= 0)) throw new IPCError("InvalidArgument", `timeoutMs must be >= 0, got ${timeoutMs}`, { context: { timeoutMs } });
  return performance.now() + timeoutMs;
}

/** The error of a wait that ran out of time. */
export function timeoutError(what: string, timeoutMs: number | undefined): IPCError {
  return new IPCError("TimeoutExpired", `${what}: not acquired within ${timeoutMs} ms`, { context: { timeoutMs } });
}

/** The error of a wait cancelled by its AbortSignal. */
export function cancelledError(what: string): IPCError {
  return new IPCError("Cancelled", `${what}: cancelled by its AbortSignal`);
}
