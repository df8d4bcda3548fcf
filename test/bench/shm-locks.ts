/**
 * The lock metrics of the shm suite (shm.bench.ts), on a runtime/sync Mutex
 * placed in a named shared region:
 *
 * - lock_uncontended_ns: `tryLock()` + `unlock()` pairs; the body is handed
 *   to the suite, which runs it in interleaved rounds with the CAS baseline.
 * - lock_async_uncontended_ns: `const g = await mutex.lock(); g.release()`,
 *   ns per pair, best of the rounds after a warm-up.
 * - lock_contended_handoff_us / _p95_us: see {@link handoff}; the other
 *   process is shm-lock-peer.ts.
 */
import { timing } from "./harness.js";
import { ready, startPeer } from "./peer-process.js";
import { HANDOFF_CONTROL, loadSync, openMutex, type BenchMutex } from "./shm-lock-peer.js";
import { createRegion, type SharedRegion } from "../../runtime/shm/region.js";
import { nativeShm } from "../../native/index.js";

/** What the suite gets when runtime/sync is there. */
export interface LockBench {
  /** `n` tryLock + unlock pairs (throws if a tryLock fails: nobody else holds this mutex). */
  tryLockBody(n: number): void;
  /** Measures the async and the contended metrics. */
  rest(): Promise<Record<string, number>>;
  /** Closes the mutex's region. */
  close(): void;
}

/** Region bytes: the mutex at offset 0, the hand-off control words after it. */
const REGION_BYTES = 4096;

/**
 * Opens the lock benchmark on a fresh region, or returns undefined (after
 * logging why) when runtime/sync is not there.
 */
export async function openLockBench(quick: boolean, handoffs: number, log: (line: string) => void): Promise<LockBench | undefined> {
  const sync = await loadSync();
  if (typeof sync === "string") {
    log(`  lock_uncontended_ns, lock_async_uncontended_ns, lock_contended_handoff_us absent: ${sync}`);
    return undefined;
  }
  const region = createRegion(`bench-lock-${process.pid}`, REGION_BYTES);
  try {
    const mutex = openMutex(sync, region, true);
    return {
      tryLockBody(n: number): void {
        let acquired = 0;
        for (let i = 0; i < n; i++) {
          if (mutex.tryLock()) acquired++;
          mutex.unlock();
        }
        if (acquired !== n) throw new Error(`lock bench: tryLock failed ${n - acquired} times on an uncontended mutex`);
      },
      async rest(): Promise<Record<string, number>> {
        log("shm: await mutex.lock() + release(), uncontended");
        const asyncNs = await asyncPairNs(mutex, quick);
        log(`shm: contended hand-off between two processes (${handoffs} samples)`);
        const h = await handoff(region, mutex, handoffs);
        return { lock_async_uncontended_ns: asyncNs, lock_contended_handoff_us: h.p50, lock_contended_handoff_p95_us: h.p95 };
      },
      close: () => region.close(),
    };
  } catch (e) {
    region.close();
    throw e;
  }
}

/** ns per `await lock()` + `release()`: the best round after a warm-up (timing() of the mode). */
async function asyncPairNs(mutex: BenchMutex, quick: boolean): Promise<number> {
  const t = timing({ quick, log: () => undefined });
  const batch = 1000;
  const run = async (): Promise<number> => {
    const start = performance.now();
    for (let i = 0; i < batch; i++) {
      const guard = await mutex.lock();
      guard.release();
    }
    return performance.now() - start;
  };
  const warmEnd = performance.now() + t.warmupMs;
  while (performance.now() < warmEnd) await run();
  let best = Infinity;
  for (let r = 0; r < t.rounds; r++) {
    const roundEnd = performance.now() + t.measureMs / t.rounds;
    let ms = 0;
    let batches = 0;
    while (performance.now() < roundEnd) {
      ms += await run();
      batches++;
    }
    best = Math.min(best, (ms * 1e6) / (batches * batch));
  }
  return best;
}

/**
 * The contended hand-off: per sample, this process (A) holds the mutex,
 * tells the peer (B) to lock it, waits for B's "locking" answer and then
 * 2 ms more so that B is surely parked on the mutex, stores its clock
 * (process.hrtime, CLOCK_MONOTONIC, shared by every process) in the region
 * and unlocks. B's `await mutex.lock()` resolves; B takes its clock and keeps
 * the difference; then releases and says so, and A locks again for the next
 * sample. What is timed is therefore unlock → futex wake → B's addon thread
 * → B's event loop → B's promise continuation: the whole async hand-off.
 * Percentiles (µs) over `samples`, computed by B.
 */
async function handoff(region: SharedRegion, mutex: BenchMutex, samples: number): Promise<{ p50: number; p95: number }> {
  const ctl = new Int32Array(region.buffer, region.dataOffset + HANDOFF_CONTROL.offset, HANDOFF_CONTROL.words);
  const t0 = new BigInt64Array(region.buffer, region.dataOffset + HANDOFF_CONTROL.offset + HANDOFF_CONTROL.t0Byte, 1);
  const native = nativeShm();
  const waitFor = async (index: number, want: number): Promise<void> => {
    const deadline = performance.now() + 10_000;
    for (let seen = Atomics.load(ctl, index); seen !== want; seen = Atomics.load(ctl, index)) {
      if (performance.now() > deadline) throw new Error(`lock hand-off: the peer did not answer sample ${want}`);
      await new Promise((resolve) => native.futexWait(ctl, index, seen, 1000, resolve));
    }
  };
  const peer = startPeer("shm-lock-peer.js", [region.name!, String(samples)]);
  try {
    await ready(peer);
    for (let k = 1; k <= samples; k++) {
      if (!mutex.tryLock()) throw new Error("lock hand-off: the mutex was not free between samples");
      Atomics.store(ctl, HANDOFF_CONTROL.seq, k);
      native.futexWake(ctl, HANDOFF_CONTROL.seq, 1);
      await waitFor(HANDOFF_CONTROL.ack, k);
      await new Promise((resolve) => setTimeout(resolve, 2));
      Atomics.store(t0, 0, process.hrtime.bigint());
      mutex.unlock();
      await waitFor(HANDOFF_CONTROL.done, k);
    }
    const [p50, p95] = (await peer.next()).split(" ").map(Number);
    return { p50, p95 };
  } finally {
    await peer.stop();
  }
}
