import { expect, it } from "vitest";
import { runBusBench } from "./bus.bench.js";
import { suites } from "./suites.js";

it("the bus suite is registered and reports every metric from real processes, every event accounted for", { timeout: 120_000 }, async () => {
  expect(suites.map((s) => s.name)).toContain("bus");
  const lines: string[] = [];
  // Small rounds: the peers still check that each subscriber got exactly every event.
  const m = await runBusBench({ quick: true, log: (l) => lines.push(l), events: 5000 });
  expect(Object.keys(m).sort()).toEqual([
    "baseline_dbus_next_signals_per_s_busrun",
    "baseline_raw_relay_per_s",
    "events_xproc_fanout10_deliveries_per_s",
    "events_xproc_fanout10_per_s",
    "events_xproc_per_s",
    "events_xproc_vs_dbus_next",
    "events_xproc_vs_raw_relay",
  ]);
  for (const [name, v] of Object.entries(m)) {
    expect(Number.isFinite(v), name).toBe(true);
    expect(v, name).toBeGreaterThan(0);
  }
  expect(m.events_xproc_fanout10_deliveries_per_s).toBeCloseTo(m.events_xproc_fanout10_per_s! * 10, -2);
  expect(lines.filter((l) => l.includes("10 subscriber(s)")).length).toBe(5);
  // The dbus-next baseline ran between the three measured rounds of events_xproc_per_s.
  expect(lines.filter((l) => /dbus-next signals, 2000 received in order/.test(l)).length).toBe(3);
});
