/**
 * Shared-memory metrics (issue 13 item 5), each beside its baselines in the
 * same run (docs/bench/README.md, "The shm suite", says what each one is):
 *
 * Baselines (always measured):
 * - baseline_c_futex_rtt_us (mean), _p50_us, _p95_us: two C processes (fork)
 *   ping-pong a word of a MAP_SHARED page, each parking in FUTEX_WAIT and
 *   waking the other with FUTEX_WAKE (test/bench/c/futex-pingpong.c, compiled
 *   by this suite with `cc -O2` at run time), both pinned to CPU 0: the
 *   physical limit of a round trip that parks, on this machine. Absent, with
 *   a message, without `cc`.
 * - baseline_c_futex_xcpu_rtt_p50_us, _p95_us: the same pinned to CPUs 0 and
 *   1, the placement of the round-trip series: each wake-up is then an
 *   inter-processor interrupt to an idle vCPU, 5-10 times dearer on this VM.
 * - baseline_c_spin_rtt_p50_us: both sides busy-waiting on CPUs 0 and 1, no
 *   system call: the cache-line transfer alone (the floor of a spinning round trip).
 * - baseline_atomics_cas_pair_ns: `Atomics.compareExchange(i32, 0, 0, 1)` +
 *   `Atomics.compareExchange(i32, 0, 1, 0)` on a SharedArrayBuffer in a loop,
 *   ns per pair: the best a JS lock + unlock can do.
 *
 * Locks (runtime/sync; shm-locks.ts):
 * - lock_uncontended_ns: `mutex.tryLock()` + `mutex.unlock()` on a mutex of a
 *   sync domain of its own, ns per pair, in the same interleaved rounds as
 *   the CAS baseline (best round of each).
 * - lock_async_uncontended_ns: `const g = await mutex.lock(); g.release()`.
 * - lock_contended_handoff_us (p50), lock_contended_handoff_p95_us: the time
 *   from A's `unlock()` to B's `await mutex.lock()` resolving, B a separate
 *   process parked on the mutex (shm-lock-peer.ts), both ends timed with
 *   CLOCK_MONOTONIC (process.hrtime), which every process shares.
 *
 * Transport (the `shm` transport; one server process serves every series):
 * - shm_rtt_p50_us, shm_rtt_p95_us: sequential `CalculatorClient.echo` calls
 *   (64-byte string, the generated stub of examples/demo, as rpc.bench.ts)
 *   over `shm` with the transport's opt-in spin (`spinUs`) at both ends.
 * - shm_nospin_rtt_p50_us, shm_nospin_rtt_p95_us: the same without spin
 *   (every wake-up through the eventfd doorbell).
 * - rpc_uds_rtt_p50_us_shmrun, rpc_uds_rtt_p95_us_shmrun: the same calls over
 *   `unix` to the same server process, in the same interleaved rounds, so
 *   that `shm_rtt_p95_us / rpc_uds_rtt_p95_us_shmrun` holds under the same
 *   load (the rpc suite's `rpc_uds_rtt_p95_us` is a minute away in the run).
 * - shm_msgs_per_s_64b: fire-and-forget Events with a 64-byte payload over
 *   `shm`, counted and timed by the receiving process; rpc.bench.ts's code
 *   path for `msgs_uds_per_s_64b` (steady state, median of three runs).
 * - msgs_uds_per_s_64b_shmrun: the same over `unix`, right before it.
 *
 * The round trips run between a client process (shm-rtt-client.ts) and a
 * server process (rpc-peer.ts serving all three endpoints), pinned with
 * taskset to CPUs 0 and 1. Unpinned, the Unix-socket series' wake-ups make
 * the scheduler put both processes on one CPU (wake-affine), and a spinning
 * peer then spins while the other waits for the CPU: every spin round trip
 * cost 2 × spinUs + ~20 µs (123 µs at spinUs 50; the same, always, with both
 * pinned to one CPU). Without taskset or with one CPU they run unpinned, and
 * the log says so.
 *
 * Without a C compiler the C baselines are logged as absent and left out;
 * the other metrics are still measured.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { measureThroughputInterleaved, timing, type BenchContext, type BenchSuite } from "./harness.js";
import { canPin, ready, startPeer as startLinePeer } from "./peer-process.js";
import { benchDir, startPeer } from "./rpc-bench-procs.js";
import { novaMessagesPerSecond } from "./rpc.bench.js";
import { casPairBody, compileCPingPong, type CPingPong } from "./shm-baselines.js";
import { openLockBench } from "./shm-locks.js";

/** The bounded spin of the `shm_rtt_*` series, µs (ChannelOptions.spinUs, both ends). */
export const SPIN_US = 50;
/** Interleaved rounds of the round-trip series, as in rpc.bench.ts. */
const ROUNDS = 100;

type Metrics = Record<string, number>;

/** How much each measurement does. */
interface Sizes {
  /** Round trips of each C ping-pong run. */
  cTrips: number;
  /** Calls of each round-trip series. */
  rttCalls: number;
  /** Messages of each measured one-way run. */
  msgs: number;
  /** Samples of the lock hand-off. */
  handoffs: number;
}

/** Full runs, `--quick`, and `tiny` (the suite's own test: the same code, small counts). */
function sizes(quick: boolean, tiny: boolean): Sizes {
  if (tiny) return { cTrips: 5000, rttCalls: 2000, msgs: 20_000, handoffs: 50 };
  return quick ? { cTrips: 50_000, rttCalls: 10_000, msgs: 300_000, handoffs: 300 } : { cTrips: 200_000, rttCalls: 50_000, msgs: 1_000_000, handoffs: 2000 };
}

/**
 * The C ping-pong baselines (absent without a C compiler): parking on one CPU
 * (the "physical limit") and across CPUs 0 and 1 (the placement of
 * the round-trip series below), and spinning across CPUs 0 and 1.
 */
function cBaselines(metrics: Metrics, size: Sizes, log: (line: string) => void): void {
  const program = compileCPingPong(log);
  if (program === undefined) return;
  const pin = canPin();
  if (!pin) log("  NOT pinned (no taskset or one CPU): each C figure is for whatever placement the scheduler chose");
  const show = (what: string, r: CPingPong): void => log(`  C ${what}: mean ${r.mean_us} µs, p50 ${r.p50_us}, p95 ${r.p95_us}, p99 ${r.p99_us}`);
  try {
    const same = program.run("futex", size.cTrips, pin ? [0, 0] : undefined);
    show("futex ping-pong, one CPU", same);
    metrics.baseline_c_futex_rtt_us = same.mean_us;
    metrics.baseline_c_futex_rtt_p50_us = same.p50_us;
    metrics.baseline_c_futex_rtt_p95_us = same.p95_us;
    const cross = program.run("futex", size.cTrips, pin ? [0, 1] : undefined);
    show("futex ping-pong, CPUs 0 and 1", cross);
    metrics.baseline_c_futex_xcpu_rtt_p50_us = cross.p50_us;
    metrics.baseline_c_futex_xcpu_rtt_p95_us = cross.p95_us;
    const spin = program.run("spin", size.cTrips, pin ? [0, 1] : undefined);
    show("spin ping-pong, CPUs 0 and 1", spin);
    metrics.baseline_c_spin_rtt_p50_us = spin.p50_us;
  } finally {
    program.remove();
  }
}

/**
 * Round trips over shm with and without spin and over unix, interleaved,
 * between one client process and one server process, pinned to CPUs 0 and 1
 * when taskset and two CPUs are there (see the file comment).
 */
async function roundTrips(metrics: Metrics, dir: string, n: number, log: (line: string) => void): Promise<void> {
  const path = { uds: join(dir, "rtt.sock"), spin: join(dir, "rtt-spin.shm"), nospin: join(dir, "rtt-nospin.shm") };
  const pin = canPin();
  log(
    `shm: round trips in ${ROUNDS} interleaved rounds: RPC/unix ${n}, RPC/shm spin ${SPIN_US} µs ${n}, RPC/shm no spin ${n}; ` +
      (pin ? "client and server pinned to CPUs 0 and 1" : "NOT pinned (no taskset or one CPU): the spin series may pay 2 × spinUs"),
  );
  const server = await startPeer("./rpc-peer.js", ["unix", path.uds, `shm:spinUs=${SPIN_US}`, path.spin, "shm", path.nospin], pin ? 1 : undefined);
  const client = startLinePeer("shm-rtt-client.js", [path.uds, path.spin, path.nospin, String(SPIN_US), String(n), String(ROUNDS)], pin ? 0 : undefined);
  try {
    await ready(client);
    const r = JSON.parse(await client.next()) as Record<"uds" | "spin" | "nospin", { p50: number; p95: number }>;
    metrics.shm_rtt_p50_us = r.spin.p50;
    metrics.shm_rtt_p95_us = r.spin.p95;
    metrics.shm_nospin_rtt_p50_us = r.nospin.p50;
    metrics.shm_nospin_rtt_p95_us = r.nospin.p95;
    metrics.rpc_uds_rtt_p50_us_shmrun = r.uds.p50;
    metrics.rpc_uds_rtt_p95_us_shmrun = r.uds.p95;
  } finally {
    await client.stop();
    await server.stop();
  }
}

/** The shm transport's metrics. */
async function transportMetrics(metrics: Metrics, size: Sizes, log: (line: string) => void): Promise<void> {
  const { dir, remove } = benchDir();
  try {
    await roundTrips(metrics, dir, size.rttCalls, log);
    log("shm: one-way NOVA messages, 64 B, over unix then over shm");
    metrics.msgs_uds_per_s_64b_shmrun = await novaMessagesPerSecond(dir, size.msgs, log, "unix");
    metrics.shm_msgs_per_s_64b = await novaMessagesPerSecond(dir, size.msgs, log, "shm");
  } finally {
    remove();
  }
}

/** Runs the suite: baselines, then locks, then the transport. */
export async function runShmBench(options: { quick: boolean; log: (line: string) => void; tiny?: boolean }): Promise<Metrics> {
  const { quick, log } = options;
  const size = sizes(quick, options.tiny ?? false);
  const metrics: Metrics = {};
  log("shm: C ping-pong over a shared page (futex, then spin)");
  cBaselines(metrics, size, log);
  log("shm: CAS pair and mutex fast path, interleaved rounds");
  const locks = openLockBench(quick || (options.tiny ?? false), size.handoffs, log);
  try {
    const fast = measureThroughputInterleaved({ cas: casPairBody(), lock: (n) => locks.tryLockBody(n) }, timing({ quick, log }));
    metrics.baseline_atomics_cas_pair_ns = 1e9 / fast.cas.bestOpsPerSec;
    metrics.lock_uncontended_ns = 1e9 / fast.lock.bestOpsPerSec;
    Object.assign(metrics, await locks.rest());
  } finally {
    locks.close();
  }
  await transportMetrics(metrics, size, log);
  return metrics;
}

/** The `shm` suite of `npm run bench`. */
export const shmSuite: BenchSuite = {
  name: "shm",
  run: (ctx: BenchContext) => runShmBench({ quick: ctx.quick, log: (line) => ctx.log(line) }),
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const metrics = await runShmBench({ quick: process.argv.includes("--quick"), log: (l) => process.stderr.write(l + "\n") });
  process.stdout.write(JSON.stringify(metrics, null, 2) + "\n");
}
