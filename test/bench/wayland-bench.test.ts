import { rmSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { privateRuntimeDir } from "../helpers/weston.js";
import { ensureBuilt } from "../transport/helpers.js";
import { suites } from "./suites.js";
import { compileCClient, runWaylandBench, startPinnedWeston } from "./wayland.bench.js";

/** Every metric of the suite (weston and gcc are installed where the tests run: scripts/debian-packages.txt). */
const METRICS = [
  "baseline_libwayland_msgs_per_s",
  "baseline_libwayland_roundtrip_p50_us",
  "baseline_libwayland_roundtrip_p95_us",
  "baseline_libwayland_weston_roundtrip_p50_us",
  "baseline_libwayland_weston_roundtrip_p95_us",
  "wayland_msgs_per_s",
  "wayland_roundtrip_p50_us",
  "wayland_roundtrip_p95_us",
];

/** Runs `body` with PATH pointing nowhere, so no tool is found. */
async function withoutTools<T>(body: () => T | Promise<T>): Promise<T> {
  const path = process.env.PATH;
  process.env.PATH = "/nonexistent";
  try {
    return await body();
  } finally {
    process.env.PATH = path;
  }
}

describe("wayland bench suite", () => {
  beforeAll(() => {
    for (const peer of ["wl-server-peer", "wl-client-peer"]) ensureBuilt(`test/bench/${peer}.js`);
  });

  it("is registered under the name `npm run bench -- --suite wayland` uses", () => {
    expect(suites.map((s) => s.name)).toContain("wayland");
  });

  it("reports every metric, measured between real processes, with sane values", { timeout: 180_000 }, async () => {
    const lines: string[] = [];
    const m = await runWaylandBench({ quick: true, tiny: true, log: (l) => lines.push(l) });
    expect(Object.keys(m).sort(), lines.join("\n")).toEqual(METRICS);
    for (const [name, v] of Object.entries(m)) {
      expect(Number.isFinite(v), name).toBe(true);
      expect(v, name).toBeGreaterThan(0);
    }
    for (const series of ["wayland_roundtrip", "baseline_libwayland_roundtrip", "baseline_libwayland_weston_roundtrip"]) {
      // A round trip between two processes takes at least two context switches, and far less than 100 ms.
      expect(m[`${series}_p50_us`], series).toBeGreaterThan(1);
      expect(m[`${series}_p50_us`], series).toBeLessThanOrEqual(m[`${series}_p95_us`]!);
      expect(m[`${series}_p95_us`], series).toBeLessThan(100_000);
    }
    // Every run's count was checked by the suite against what was sent; a rate is requests over a positive time.
    for (const rate of ["wayland_msgs_per_s", "baseline_libwayland_msgs_per_s"]) {
      expect(m[rate], rate).toBeGreaterThan(1000);
      expect(m[rate], rate).toBeLessThan(1e9);
    }
    expect(lines.join("\n")).toMatch(/libwayland → weston/);
  });

  it("without gcc or weston, their baselines are absent with a message naming the package, not a failure", async () => {
    const dir = privateRuntimeDir("nova-bench-wl-test-");
    const lines: string[] = [];
    try {
      expect(await withoutTools(() => compileCClient(dir, (l) => lines.push(l)))).toBeUndefined();
      expect(await withoutTools(() => startPinnedWeston(dir, false, (l) => lines.push(l)))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(lines.join("\n")).toMatch(/baseline_libwayland_\* absent: no C compiler.*gcc/);
    expect(lines.join("\n")).toMatch(/baseline_libwayland_weston_\* absent: weston is not installed \(Debian package weston\)/);
  });
});
