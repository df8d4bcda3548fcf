import { describe, expect, it } from "vitest";
import { mbPerSec, measureLatency, measureThroughput, measureThroughputInterleaved, round } from "./harness.js";
import { frame64, largeMessage, msgpackrBaseline, smallMessage } from "./codec-suite.js";
import { encodeMessage } from "../../runtime/wire/frame.js";

describe("bench harness", () => {
  it("measureThroughput runs the body with the op counts it reports", () => {
    let ops = 0;
    const r = measureThroughput((n) => {
      for (let i = 0; i < n; i++) ops++;
    }, { warmupMs: 5, measureMs: 30, rounds: 3 });
    expect(r.rounds).toBe(3);
    expect(r.opsPerSec).toBeGreaterThan(0);
    expect(r.bestOpsPerSec).toBeGreaterThanOrEqual(r.opsPerSec);
    expect(ops).toBeGreaterThan(0);
  });

  it("measureThroughputInterleaved measures every body in alternating rounds", () => {
    const order: string[] = [];
    const ops = { a: 0, b: 0 };
    const r = measureThroughputInterleaved(
      {
        a: (n) => {
          for (let i = 0; i < n; i++) ops.a++;
          order.push("a");
        },
        b: (n) => {
          for (let i = 0; i < 2 * n; i++) ops.b++;
          order.push("b");
        },
      },
      { warmupMs: 5, measureMs: 40, rounds: 4 },
    );
    expect(Object.keys(r)).toEqual(["a", "b"]);
    for (const k of ["a", "b"] as const) {
      expect(r[k].rounds).toBe(4);
      expect(r[k].opsPerSec).toBeGreaterThan(0);
      expect(r[k].bestOpsPerSec).toBeGreaterThanOrEqual(r[k].opsPerSec);
      expect(ops[k]).toBeGreaterThan(0);
    }
    // Interleaved: after calibration, a's and b's batches alternate in runs, not all a then all b.
    const switches = order.slice(order.indexOf("b")).filter((x, i, xs) => i > 0 && x !== xs[i - 1]).length;
    expect(switches).toBeGreaterThanOrEqual(8);
  });

  it("measureLatency reports ordered percentiles in microseconds", async () => {
    const l = await measureLatency(() => new Promise((resolve) => setImmediate(resolve)), { samples: 200 });
    expect(l.count).toBe(200);
    expect(l.p50).toBeGreaterThan(0);
    expect(l.p50).toBeLessThanOrEqual(l.p95);
    expect(l.p95).toBeLessThanOrEqual(l.p99);
    expect(l.p99).toBeLessThanOrEqual(l.max * 1.001 + 1);
  });

  it("unit helpers", () => {
    expect(mbPerSec(100, 1_000_000)).toBe(100);
    expect(round(1234.5678)).toBe(1235);
    expect(round(12.345)).toBe(12.3);
    expect(round(0.012345)).toBe(0.0123);
  });

  it("the benchmark messages have the sizes the metrics promise", () => {
    expect(frame64(1).length).toBe(40 + 64);
    const small = encodeMessage(smallMessage(200)).length;
    expect(small).toBeGreaterThan(90);
    expect(small).toBeLessThan(110);
    const large = encodeMessage(largeMessage()).length;
    expect(large).toBeGreaterThan(95_000);
    expect(large).toBeLessThan(105_000);
  });

  it("reports msgpackr's figures beside ours, from real pack/unpack of the same messages", () => {
    const lines: string[] = [];
    const m = msgpackrBaseline({ warmupMs: 2, measureMs: 10, rounds: 2 }, (l) => lines.push(l));
    expect(Object.keys(m).sort()).toEqual([
      "baseline_msgpackr_decode_large_mb_s",
      "baseline_msgpackr_decode_small_mb_s",
      "baseline_msgpackr_decode_small_msgs_per_s",
      "baseline_msgpackr_encode_large_mb_s",
      "baseline_msgpackr_encode_small_mb_s",
      "baseline_msgpackr_encode_small_msgs_per_s",
    ]);
    for (const v of Object.values(m)) expect(v).toBeGreaterThan(0);
    // The sizes it divides by: msgpackr's own bytes for the ~100 B and ~100 KB messages.
    const [, small, large] = /small message (\d+) B, large (\d+) B/.exec(lines[0]) ?? [];
    expect(Number(small)).toBeGreaterThan(80);
    expect(Number(small)).toBeLessThan(200);
    expect(Number(large)).toBeGreaterThan(95_000);
    expect(Number(large)).toBeLessThan(105_000);
  });
});
