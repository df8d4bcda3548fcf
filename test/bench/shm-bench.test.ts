import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../transport/helpers.js";
import { expectNoShmLeft } from "../shm/shm-helpers.js";
import { casPairBody, compileCPingPong } from "./shm-baselines.js";
import { runShmBench } from "./shm.bench.js";
import { suites } from "./suites.js";

/** Every metric of the suite. */
const METRICS = [
  "baseline_atomics_cas_pair_ns",
  "baseline_c_futex_rtt_p50_us",
  "baseline_c_futex_rtt_p95_us",
  "baseline_c_futex_rtt_us",
  "baseline_c_futex_xcpu_rtt_p50_us",
  "baseline_c_futex_xcpu_rtt_p95_us",
  "baseline_c_spin_rtt_p50_us",
  "lock_async_uncontended_ns",
  "lock_contended_handoff_p95_us",
  "lock_contended_handoff_us",
  "lock_uncontended_ns",
  "msgs_uds_per_s_64b_shmrun",
  "rpc_uds_rtt_p50_us_shmrun",
  "rpc_uds_rtt_p95_us_shmrun",
  "shm_msgs_per_s_64b",
  "shm_nospin_rtt_p50_us",
  "shm_nospin_rtt_p95_us",
  "shm_rtt_p50_us",
  "shm_rtt_p95_us",
];

describe("shm bench suite", () => {
  beforeAll(() => {
    for (const peer of ["rpc-peer", "rpc-sink-peer", "shm-rtt-client", "shm-lock-peer"]) ensureBuilt(`test/bench/${peer}.js`);
  });
  // The lock metrics' control region and sync domain (`bench-lock-<pid>`, `sync-bench-<pid>`).
  afterEach(() => {
    expectNoShmLeft(`bench-lock-${process.pid}`);
    expectNoShmLeft(`sync-bench-${process.pid}`);
  });

  it("is registered under the name `npm run bench -- --suite shm` uses", () => {
    expect(suites.map((s) => s.name)).toContain("shm");
  });

  it("the C ping-pong compiles, runs in both modes pinned and reports ordered percentiles; spinning on two CPUs beats parking", () => {
    const lines: string[] = [];
    const program = compileCPingPong((l) => lines.push(l));
    expect(program, lines.join("\n")).toBeDefined();
    try {
      const futex = program!.run("futex", 3000, [0, 0]);
      const spin = program!.run("spin", 3000, [0, 1]);
      for (const r of [futex, spin]) {
        expect(r.count).toBe(3000);
        expect(r.p50_us).toBeGreaterThan(0);
        expect(r.p50_us).toBeLessThanOrEqual(r.p95_us);
        expect(r.p95_us).toBeLessThanOrEqual(r.p99_us);
      }
      expect(spin.p50_us).toBeLessThan(futex.p50_us);
    } finally {
      program!.remove();
    }
  });

  it("without a C compiler the C baselines are absent with a message naming the package, not a failure", () => {
    const path = process.env.PATH;
    const lines: string[] = [];
    try {
      process.env.PATH = "/nonexistent";
      expect(compileCPingPong((l) => lines.push(l))).toBeUndefined();
    } finally {
      process.env.PATH = path;
    }
    expect(lines.join("\n")).toMatch(/baseline_c_futex_rtt_us absent: no C compiler.*gcc/);
  });

  it("the CAS pair body checks that every CAS of every pair succeeded (the sum of their results is the count)", () => {
    const body = casPairBody();
    expect(() => body(1000)).not.toThrow();
    expect(() => body(1)).not.toThrow();
  });

  it("reports every metric from real processes", { timeout: 180_000 }, async () => {
    const m = await runShmBench({ quick: true, tiny: true, log: () => undefined });
    expect(Object.keys(m).sort()).toEqual([...METRICS].sort());
    for (const [name, v] of Object.entries(m)) {
      expect(Number.isFinite(v), name).toBe(true);
      expect(v, name).toBeGreaterThan(0);
    }
    expect(m.shm_rtt_p50_us).toBeLessThanOrEqual(m.shm_rtt_p95_us!);
    expect(m.shm_nospin_rtt_p50_us).toBeLessThanOrEqual(m.shm_nospin_rtt_p95_us!);
    expect(m.rpc_uds_rtt_p50_us_shmrun).toBeLessThanOrEqual(m.rpc_uds_rtt_p95_us_shmrun!);
    expect(m.baseline_c_futex_rtt_p50_us).toBeLessThanOrEqual(m.baseline_c_futex_rtt_p95_us!);
    expect(m.lock_contended_handoff_us).toBeLessThanOrEqual(m.lock_contended_handoff_p95_us!);
  });
});
