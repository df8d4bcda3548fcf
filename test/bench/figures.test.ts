/**
 * The README's benchmark figures are recorded, not typed in: its figures
 * section cites JSON files under docs/bench/ written by
 * `npm run bench -- --json FILE`, and every cell of its figures table is the
 * value (or, for an `a / b` row, the ratio) found in the cited run's file.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { BenchRecord } from "./run.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const HEADING = "## Status and measured performance";

/** The README's figures section: from its heading to the next `## `. */
function figuresSection(): string {
  const start = README.indexOf(HEADING);
  expect(start, `README has a "${HEADING}" section`).toBeGreaterThanOrEqual(0);
  const next = README.indexOf("\n## ", start + HEADING.length);
  return README.slice(start, next < 0 ? undefined : next);
}

/** The run files the section cites, in the order of first citation: run 1, run 2, ... */
function citedRuns(section: string): string[] {
  return [...new Set([...section.matchAll(/\(?(docs\/bench\/[\w.-]+\.json)\)?/g)].map((m) => m[1]))];
}

/** Table rows whose first cell is a backticked figure `name` or ratio `a / b`, with their cells. */
function figureRows(section: string): Array<{ figure: string[]; cells: string[] }> {
  const rows: Array<{ figure: string[]; cells: string[] }> = [];
  for (const line of section.split("\n")) {
    const m = /^\|\s*`([a-z0-9_]+)(?: \/ ([a-z0-9_]+))?`\s*\|(.*)\|\s*$/.exec(line);
    if (m) rows.push({ figure: m[2] === undefined ? [m[1]] : [m[1], m[2]], cells: m[3].split("|").map((c) => c.trim()) });
  }
  return rows;
}

/** How the README writes a figure: en-US digits grouping (the JSON holds it rounded by run.ts); ratios to 2 decimals. */
function render(record: BenchRecord, figure: string[]): string {
  const value = (name: string): number => {
    const v = record.metrics[name];
    expect(v, `${name} is in the run file`).toBeTypeOf("number");
    return v;
  };
  if (figure.length === 2) return (value(figure[0]) / value(figure[1])).toFixed(2);
  return value(figure[0]).toLocaleString("en-US", { maximumFractionDigits: 20 });
}

describe("README figures", () => {
  const section = figuresSection();
  const runs = citedRuns(section);

  it("cite at least one full recorded run under docs/bench/", () => {
    expect(runs.length).toBeGreaterThan(0);
    for (const file of runs) {
      expect(existsSync(join(ROOT, file)), file).toBe(true);
      const record = JSON.parse(readFileSync(join(ROOT, file), "utf8")) as BenchRecord;
      expect(record.quick, `${file} is a full run, not --quick`).toBe(false);
      expect(record.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(record.loadavgStart).toHaveLength(3);
      expect(Object.keys(record.metrics).length).toBeGreaterThan(0);
    }
  });

  it("are, cell by cell, the values of the cited runs", () => {
    const records = runs.map((file) => JSON.parse(readFileSync(join(ROOT, file), "utf8")) as BenchRecord);
    const rows = figureRows(section);
    expect(rows.length).toBeGreaterThan(0);
    for (const { figure, cells } of rows) {
      records.forEach((record, i) => expect(cells[i], `${figure.join(" / ")}, run ${i + 1} (${runs[i]})`).toBe(render(record, figure)));
    }
  });

  it("include the figures the issues set targets for, and their baselines", () => {
    const named = new Set(figureRows(section).map((r) => r.figure.join(" / ")));
    for (const figure of [
      "rpc_uds_rtt_p95_us",
      "baseline_raw_uds_rtt_p95_us",
      "rpc_uds_rtt_p95_us / baseline_raw_uds_rtt_p95_us",
      "baseline_dbus_next_rtt_p95_us_rpcrun / rpc_uds_rtt_p95_us",
      "codec_encode_large_mb_s",
      "baseline_msgpackr_encode_large_mb_s",
      "codec_decode_large_mb_s",
      "baseline_msgpackr_decode_large_mb_s",
      "msgs_uds_per_s_64b",
      "baseline_raw_uds_msgs_per_s_64b",
      "shm_rtt_p95_us",
      "shm_rtt_p95_us / rpc_uds_rtt_p95_us",
      "shm_msgs_per_s_64b",
      "lock_uncontended_ns / baseline_atomics_cas_pair_ns",
      "baseline_c_futex_rtt_us",
      "wayland_roundtrip_p95_us",
      "baseline_libwayland_roundtrip_p95_us",
      "wayland_roundtrip_p95_us / baseline_libwayland_roundtrip_p95_us",
      "wayland_msgs_per_s",
    ]) {
      expect(named.has(figure), figure).toBe(true);
    }
  });

  // Issue 14's figures (the dbus suite, test/bench/dbus.bench.ts): required once a cited run has them,
  // so the table gains them with the first recorded run of that suite.
  it("include the D-Bus figures, their targets' ratios and baselines, once a cited run measured them", () => {
    const records = runs.map((file) => JSON.parse(readFileSync(join(ROOT, file), "utf8")) as BenchRecord);
    const ranDbus = records.filter((r) => r.suites.includes("dbus"));
    // A run has the suite's figures exactly when it ran the suite (runs recorded before it existed have none).
    expect(records.filter((r) => r.metrics.dbus_rtt_p95_us !== undefined)).toEqual(ranDbus);
    const named = new Set(figureRows(section).map((r) => r.figure.join(" / ")));
    for (const figure of ranDbus.length === 0 ? [] : [
      "dbus_rtt_p50_us",
      "dbus_rtt_p95_us",
      "baseline_dbus_next_rtt_p95_us",
      "baseline_gdbus_rtt_p95_us",
      "dbus_rtt_p95_us / baseline_dbus_next_rtt_p95_us",
      "dbus_signals_per_s",
      "baseline_dbus_next_signals_per_s",
      "dbus_signals_per_s / baseline_dbus_next_signals_per_s",
    ]) {
      expect(named.has(figure), figure).toBe(true);
    }
  });
});
