import { beforeAll, describe, expect, it } from "vitest";
import { runTool } from "../helpers/system-deps.js";
import { ensureBuilt } from "../transport/helpers.js";
import { runDbusBench } from "./dbus.bench.js";
import { suites } from "./suites.js";

/** Every metric of the suite (python3-gi is installed here, so the GDBus baseline is among them). */
const METRICS = [
  "baseline_dbus_next_rtt_p50_us",
  "baseline_dbus_next_rtt_p95_us",
  "baseline_dbus_next_signals_per_s",
  "baseline_gdbus_rtt_p50_us",
  "baseline_gdbus_rtt_p95_us",
  "dbus_rtt_p50_us",
  "dbus_rtt_p95_us",
  "dbus_signals_per_s",
];

describe("dbus bench suite", () => {
  beforeAll(async () => {
    // A missing dbus-daemon or python3-gi fails here with one line naming its Debian package.
    await runTool("dbus-daemon", ["--version"]);
    expect((await runTool("/usr/bin/python3", ["-c", "from gi.repository import Gio"])).code).toBe(0);
    for (const peer of ["dbus-service-peer", "dbus-rtt-client", "rpc-dbus-peer", "events-dbus-peer"]) ensureBuilt(`test/bench/${peer}.js`);
  });

  it("is registered under the name `npm run bench -- --suite dbus` uses", () => {
    expect(suites.map((s) => s.name)).toContain("dbus");
  });

  it("reports every metric from real processes on a real dbus-daemon, each sane", { timeout: 180_000 }, async () => {
    const lines: string[] = [];
    const m = await runDbusBench({ quick: true, tiny: true, log: (l) => lines.push(l) });
    expect(Object.keys(m).sort(), lines.join("\n")).toEqual(METRICS);
    for (const [name, v] of Object.entries(m)) {
      expect(Number.isFinite(v), name).toBe(true);
      expect(v, name).toBeGreaterThan(0);
    }
    for (const series of ["dbus", "baseline_dbus_next", "baseline_gdbus"]) {
      const p50 = m[`${series}_rtt_p50_us`]!;
      const p95 = m[`${series}_rtt_p95_us`]!;
      expect(p50, series).toBeLessThanOrEqual(p95);
      // A round trip through a daemon and another process: more than a few µs, less than a tenth of a second.
      expect(p50, series).toBeGreaterThan(5);
      expect(p95, series).toBeLessThan(100_000);
    }
    // Every run's signals arrived once and in order (the receivers throw otherwise); the rates are real rates.
    expect(m.dbus_signals_per_s).toBeGreaterThan(1000);
    expect(m.baseline_dbus_next_signals_per_s).toBeGreaterThan(1000);
    expect(lines.some((l) => /ours: 3 × 5000 in order/.test(l))).toBe(true);
  });
});
