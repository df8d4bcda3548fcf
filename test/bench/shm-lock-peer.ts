/**
 * Process B of `lock_contended_handoff_us` (shm-locks.ts explains the
 * protocol), and the one place the shm suite touches runtime/sync:
 *
 *   node dist/test/bench/shm-lock-peer.js <region name> <samples>
 *
 * Opens the named region and the mutex at its start, prints `ready <pid>`,
 * and for each sample k: waits for `seq` = k, stores `ack` = k, awaits
 * `mutex.lock()` (parking: A holds it), takes its clock, keeps the time
 * since A's unlock (`t0`), releases and stores `done` = k. At the end it
 * closes the region, prints `<p50 µs> <p95 µs>` and exits.
 */
import { fileURLToPath } from "node:url";
import { nativeShm } from "../../native/index.js";
import { openRegion, type SharedRegion } from "../../runtime/shm/region.js";

/** The part of a runtime/sync Mutex the suite uses. */
export interface BenchMutex {
  tryLock(): boolean;
  unlock(): void;
  lock(): Promise<{ release(): void }>;
}

/** runtime/sync as loaded by {@link loadSync}. */
export type SyncApi = Record<string, unknown>;

/** Where runtime/sync is, relative to this file (in test/bench or dist/test/bench). */
const SYNC_MODULE = "../../runtime/sync/index.js";

/** runtime/sync, or why it cannot be loaded (not built yet). */
export async function loadSync(): Promise<SyncApi | string> {
  try {
    const sync = (await import(SYNC_MODULE)) as SyncApi;
    const Mutex = sync.Mutex as { create?: unknown; open?: unknown } | undefined;
    if (typeof Mutex?.create !== "function" || typeof Mutex.open !== "function") {
      return "runtime/sync has no Mutex.create/Mutex.open (update openMutex in test/bench/shm-lock-peer.ts to its API)";
    }
    return sync;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") return "runtime/sync is not there (no runtime/sync/index.js)";
    throw e;
  }
}

/** The mutex at the start of `region`'s usable memory; `create` initialises it. */
export function openMutex(sync: SyncApi, region: SharedRegion, create: boolean): BenchMutex {
  const Mutex = sync.Mutex as { create(region: SharedRegion, offset: number): BenchMutex; open(region: SharedRegion, offset: number): BenchMutex };
  return create ? Mutex.create(region, 0) : Mutex.open(region, 0);
}

/** The hand-off's control words, after the mutex in the region's usable memory. */
export const HANDOFF_CONTROL = {
  /** Byte offset from the region's dataOffset. */
  offset: 256,
  /** Int32 words of the control block (seq, ack, done, unused, then t0 as a BigInt64). */
  words: 4,
  seq: 0,
  ack: 1,
  done: 2,
  /** Byte offset of A's unlock time (BigInt64, ns) from the control block. */
  t0Byte: 16,
} as const;

async function main(): Promise<void> {
  const [name, count] = process.argv.slice(2);
  const samples = Number(count);
  const sync = await loadSync();
  if (typeof sync === "string" || !name || !(samples > 0)) throw new Error(typeof sync === "string" ? sync : "usage: shm-lock-peer <region name> <samples>");
  const region = openRegion(name);
  const mutex = openMutex(sync, region, false);
  const ctl = new Int32Array(region.buffer, region.dataOffset + HANDOFF_CONTROL.offset, HANDOFF_CONTROL.words);
  const t0 = new BigInt64Array(region.buffer, region.dataOffset + HANDOFF_CONTROL.offset + HANDOFF_CONTROL.t0Byte, 1);
  const native = nativeShm();
  const latencies = new Float64Array(samples);
  process.stdout.write(`ready ${process.pid}\n`);
  for (let k = 1; k <= samples; k++) {
    for (let seen = Atomics.load(ctl, HANDOFF_CONTROL.seq); seen !== k; seen = Atomics.load(ctl, HANDOFF_CONTROL.seq)) {
      await new Promise((resolve) => native.futexWait(ctl, HANDOFF_CONTROL.seq, seen, 1000, resolve));
    }
    Atomics.store(ctl, HANDOFF_CONTROL.ack, k);
    native.futexWake(ctl, HANDOFF_CONTROL.ack, 1);
    const guard = await mutex.lock();
    latencies[k - 1] = Number(process.hrtime.bigint() - Atomics.load(t0, 0)) / 1000;
    guard.release();
    Atomics.store(ctl, HANDOFF_CONTROL.done, k);
    native.futexWake(ctl, HANDOFF_CONTROL.done, 1);
  }
  latencies.sort();
  const at = (q: number): number => latencies[Math.min(samples - 1, Math.floor(q * samples))];
  region.close();
  process.stdout.write(`${at(0.5)} ${at(0.95)}\n`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`shm-lock-peer: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
