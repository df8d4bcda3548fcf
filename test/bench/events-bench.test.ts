import { describe, expect, it } from "vitest";
import { topicMatches } from "../../runtime/events/index.js";
import { otherPatterns, runEventsBench } from "./events.bench.js";
import { suites } from "./suites.js";

const METRICS = [
  "baseline_eventemitter_per_s",
  "events_10k_handlers_per_s",
  "events_10k_handlers_rr64_per_s",
  "events_dispatch_p95_us",
  "events_inproc_per_s",
  "events_inproc_wildcard_per_s",
  "events_inproc_wildcard_rr64_per_s",
  "events_persist_per_s",
];

describe("events bench suite", () => {
  it("is registered under the name `npm run bench -- --suite events` uses", () => {
    expect(suites.map((s) => s.name)).toContain("events");
  });

  it("the 1,000 other patterns mix exact topics and wildcards on other prefixes, and match none of the window topics", () => {
    const patterns = otherPatterns();
    expect(new Set(patterns).size).toBe(1000);
    const segs = patterns.map((p) => p.split("."));
    expect(segs.filter((s) => !s.some((x) => x.includes("*"))).length).toBeGreaterThan(300);
    expect(segs.filter((s) => s.includes("*")).length).toBeGreaterThan(200);
    expect(segs.filter((s) => s.includes("**")).length).toBeGreaterThan(200);
    // Wildcards at the end, in the middle and (a few) at the start.
    expect(segs.filter((s) => s[s.length - 1]!.includes("*") && !s[0]!.includes("*")).length).toBeGreaterThan(200);
    expect(segs.filter((s) => s.length === 3 && s[1] === "*").length).toBeGreaterThan(100);
    expect(segs.filter((s) => s[0]!.includes("*")).length).toBeGreaterThan(100);
    expect(patterns.some((p) => p.startsWith("window"))).toBe(false);
    const topics = ["window.opened", ...Array.from({ length: 64 }, (_, i) => `window.w${i}.geometry`)];
    for (const t of topics) for (const p of patterns) expect(topicMatches(p, t)).toBe(false);
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
