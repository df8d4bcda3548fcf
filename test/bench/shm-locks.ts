/**
 * The lock metrics of the shm suite (shm.bench.ts), on a runtime/sync Mutex
 * in a sync domain of its own (`bench-<pid>`, removed afterwards):
 *
 * - lock_uncontended_ns: `tryLock()` + `unlock()` pairs; the body is handed
 *   to the suite, which runs it in interleaved rounds with the CAS baseline.
 * - lock_async_uncontended_ns: `const g = await mutex.lock(); g.release()`,
 *   ns per pair, best of the rounds after a warm-up.
 * - lock_contended_handoff_us / _p95_us: see {@link handoff}; the other
 *   process is shm-lock-peer.ts.
 */
import { createRegion, type SharedRegion } from "../../runtime/shm/region.js";
import { Mutex, SyncDomain } from "../../runtime/sync/index.js";
import { timing } from "./harness.js";
import { ready, startPeer } from "./peer-process.js";
import { controlViews, HANDOFF_CONTROL, HANDOFF_MUTEX, setWord, waitForWord } from "./shm-lock-peer.js";

/** The lock benchmark's mutex and what measures it. */
export interface LockBench {
  /** `n` tryLock + unlock pairs (throws if a tryLock fails: nobody else holds this mutex). */
  tryLockBody(n: number): void;
  /** Measures the async and the contended metrics. */
  rest(): Promise<Record<string, number>>;
  /** Destroys the mutex, leaves the domain, closes the control region. */
  close(): void;
}

/** Opens the lock benchmark on a fresh sync domain and control region. */
export function openLockBench(quick: boolean, handoffs: number, log: (line: string) => void): LockBench {
  const domainName = `bench-${process.pid}`;
  const domain = SyncDomain.open(domainName);
  let control: SharedRegion | undefined;
  try {
    control = createRegion(`bench-lock-${process.pid}`, 4096);
    const region = control;
    const mutex = Mutex.create(HANDOFF_MUTEX, { domain });
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
        const h = await handoff(domainName, region, mutex, handoffs);
        return { lock_async_uncontended_ns: asyncNs, lock_contended_handoff_us: h.p50, lock_contended_handoff_p95_us: h.p95 };
      },
      close(): void {
        mutex.destroy();
        domain.close();
        region.close();
      },
    };
  } catch (e) {
    control?.close();
    domain.close();
    throw e;
  }
}

/** ns per `await lock()` + `release()`: the best round after a warm-up (timing() of the mode). */
async function asyncPairNs(mutex: Mutex, quick: boolean): Promise<number> {
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
 * 1 ms more so that B is surely parked on the mutex, stores its clock
 * (process.hrtime, CLOCK_MONOTONIC, shared by every process) in the control
 * region and unlocks. B's `await mutex.lock()` resolves; B takes its clock
 * and keeps the difference; then releases and says so, and A locks again for
 * the next sample. What is timed is therefore unlock → futex wake → B's
 * addon thread → B's event loop → B's promise continuation: the whole async
 * hand-off. Neither process is pinned. Percentiles (µs) over `samples`, computed by B.
 */
async function handoff(domainName: string, region: SharedRegion, mutex: Mutex, samples: number): Promise<{ p50: number; p95: number }> {
  const { ctl, t0 } = controlViews(region);
  const peer = startPeer("shm-lock-peer.js", [domainName, region.name!, String(samples)]);
  try {
    await ready(peer);
    for (let k = 1; k <= samples; k++) {
      if (!mutex.tryLock()) throw new Error("lock hand-off: the mutex was not free between samples");
      setWord(ctl, HANDOFF_CONTROL.seq, k);
      await waitForWord(ctl, HANDOFF_CONTROL.ack, k);
      await new Promise((resolve) => setTimeout(resolve, 1));
      Atomics.store(t0, 0, process.hrtime.bigint());
      mutex.unlock();
      await waitForWord(ctl, HANDOFF_CONTROL.done, k);
    }
    const [p50, p95] = (await peer.next()).split(" ").map(Number);
    return { p50, p95 };
  } finally {
    await peer.stop();
  }
}
