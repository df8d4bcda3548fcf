import { describe, expect, it } from "vitest";
import { mbPerSec, measureLatency, measureThroughput, round } from "./harness.js";
import { frame64, largeMessage, smallMessage } from "./codec-suite.js";
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
});
