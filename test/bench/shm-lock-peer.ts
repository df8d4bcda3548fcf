/**
 * Process B of `lock_contended_handoff_us` (shm-locks.ts explains the
 * protocol):
 *
 *   node dist/test/bench/shm-lock-peer.js <sync domain> <control region> <samples>
 *
 * Opens the mutex `handoff` of the sync domain and the control region,
 * prints `ready <pid>`, and for each sample k: waits for `seq` = k, stores
 * `ack` = k, awaits `mutex.lock()` (parking: A holds it), takes its clock,
 * keeps the time since A's unlock (`t0`), releases and stores `done` = k. At
 * the end it leaves the domain, closes the region, prints
 * `<p50 µs> <p95 µs>` and exits.
 */
import { fileURLToPath } from "node:url";
import { nativeShm } from "../../native/index.js";
import { openRegion, type SharedRegion } from "../../runtime/shm/region.js";
import { Mutex, SyncDomain } from "../../runtime/sync/index.js";

/** The name of the hand-off's mutex in its sync domain. */
export const HANDOFF_MUTEX = "handoff";

/** The hand-off's control words, at the start of the control region's usable memory. */
export const HANDOFF_CONTROL = {
  /** Int32 words (seq, ack, done, unused), then A's unlock time as a BigInt64 at byte 16. */
  words: 4,
  seq: 0,
  ack: 1,
  done: 2,
  t0Byte: 16,
} as const;

/** Views of the control block of `region`. */
export function controlViews(region: SharedRegion): { ctl: Int32Array; t0: BigInt64Array } {
  return {
    ctl: new Int32Array(region.buffer, region.dataOffset, HANDOFF_CONTROL.words),
    t0: new BigInt64Array(region.buffer, region.dataOffset + HANDOFF_CONTROL.t0Byte, 1),
  };
}

/** Resolves once `ctl[index]` is `want`, waiting on its futex on an addon thread (1 s slices; fails after 10 s). */
export async function waitForWord(ctl: Int32Array, index: number, want: number): Promise<void> {
  const native = nativeShm();
  const deadline = performance.now() + 10_000;
  for (let seen = Atomics.load(ctl, index); seen !== want; seen = Atomics.load(ctl, index)) {
    if (performance.now() > deadline) throw new Error(`lock hand-off: word ${index} did not become ${want} within 10 s`);
    await new Promise((resolve) => native.futexWait(ctl, index, seen, 1000, resolve));
  }
}

/** Stores `value` in `ctl[index]` and wakes the other process's waiter. */
export function setWord(ctl: Int32Array, index: number, value: number): void {
  Atomics.store(ctl, index, value);
  nativeShm().futexWake(ctl, index, 1);
}

async function main(): Promise<void> {
  const [domainName, regionName, count] = process.argv.slice(2);
  const samples = Number(count);
  if (!domainName || !regionName || !(samples > 0)) throw new Error("usage: shm-lock-peer <sync domain> <control region> <samples>");
  const domain = SyncDomain.open(domainName);
  const region = openRegion(regionName);
  const mutex = Mutex.open(HANDOFF_MUTEX, { domain });
  const { ctl, t0 } = controlViews(region);
  const latencies = new Float64Array(samples);
  process.stdout.write(`ready ${process.pid}\n`);
  for (let k = 1; k <= samples; k++) {
    await waitForWord(ctl, HANDOFF_CONTROL.seq, k);
    setWord(ctl, HANDOFF_CONTROL.ack, k);
    const guard = await mutex.lock();
    latencies[k - 1] = Number(process.hrtime.bigint() - Atomics.load(t0, 0)) / 1000;
    guard.release();
    setWord(ctl, HANDOFF_CONTROL.done, k);
  }
  latencies.sort();
  const at = (q: number): number => latencies[Math.min(samples - 1, Math.floor(q * samples))];
  domain.close();
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
