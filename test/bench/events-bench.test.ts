import { describe, expect, it } from "vitest";
import { topicMatches } from "../../runtime/events/index.js";
import { otherPatterns, runEventsBench } from "./events.bench.js";
import { suites } from "./suites.js";

const METRICS = [
  "baseline_eventemitter_per_s",
  "events_10k_handlers_per_s",
  "events_dispatch_p95_us",
  "events_inproc_per_s",
  "events_inproc_wildcard_per_s",
  "events_persist_per_s",
];

describe("events bench suite", () => {
  it("is registered under the name `npm run bench -- --suite events` uses", () => {
    expect(suites.map((s) => s.name)).toContain("events");
  });

  it("the 1,000 other patterns mix exact, * and ** and match none of the window topics", () => {
    const patterns = otherPatterns();
    expect(new Set(patterns).size).toBe(1000);
    expect(patterns.filter((p) => !p.includes("*")).length).toBeGreaterThan(300);
    expect(patterns.filter((p) => p.split(".").includes("*")).length).toBeGreaterThan(300);
    expect(patterns.filter((p) => p.split(".").includes("**")).length).toBeGreaterThan(300);
    for (let i = 0; i < 64; i++) for (const p of patterns) expect(topicMatches(p, `window.w${i}.geometry`)).toBe(false);
  });

  it("quick mode reports every metric, each positive, within a few seconds", async () => {
    const lines: string[] = [];
    const t = performance.now();
    const m = await runEventsBench({ quick: true, log: (l) => lines.push(l) });
    const seconds = (performance.now() - t) / 1000;
    expect(Object.keys(m).sort()).toEqual(METRICS);
    for (const [name, v] of Object.entries(m)) {
      expect(Number.isFinite(v), name).toBe(true);
      expect(v, name).toBeGreaterThan(0);
    }
    expect(seconds).toBeLessThan(30);
    expect(lines.some((l) => l.includes("persist"))).toBe(true);
  }, 60_000);
});
