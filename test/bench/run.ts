/**
 * `npm run bench -- [--quick] [--json FILE] [--suite NAME ...]`
 *
 * Runs the suites of test/bench/suites.ts, prints a table on stdout and, with
 * --json, writes a {@link BenchRecord}: the figures the README cites are
 * committed as such files under docs/bench/ (docs/bench/README.md). A suite
 * that fails is reported and the others still run; the exit code is then 1.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as os from "node:os";
import { parseArgs } from "node:util";
import { round, type BenchContext } from "./harness.js";
import { suites } from "./suites.js";

/** What `--json FILE` writes. */
export interface BenchRecord {
  node: string;
  cpu: string;
  cpus: number;
  quick: boolean;
  /** ISO 8601 UTC start and end of the run. */
  startedAt: string;
  endedAt: string;
  /** `git rev-parse HEAD` and whether tracked files differed from it ("unknown" outside a git checkout). */
  commit: string;
  dirty: boolean;
  /** os.loadavg() (1, 5, 15 minutes) at the start and the end: the machine is shared. */
  loadavgStart: number[];
  loadavgEnd: number[];
  suites: string[];
  metrics: Record<string, number>;
}

/** The checked-out commit, and whether tracked files differ from it. */
function gitState(): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const status = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return { commit: "unknown", dirty: false };
  }
}

const loadavg = (): number[] => os.loadavg().map((l) => Number(l.toFixed(2)));

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run bench -- [--quick] [--json FILE] [--suite NAME]...\n`);
  process.exit(2);
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: { quick: { type: "boolean", default: false }, json: { type: "string" }, suite: { type: "string", multiple: true }, help: { type: "boolean", short: "h" } },
    }).values;
  } catch (e) {
    usage(e instanceof Error ? e.message : String(e));
  }
  if (args.help) {
    process.stdout.write(`usage: npm run bench -- [--quick] [--json FILE] [--suite NAME]...\nsuites: ${suites.map((s) => s.name).join(", ")}\n`);
    return 0;
  }
  const selected = args.suite === undefined ? suites : suites.filter((s) => args.suite?.includes(s.name));
  if (selected.length === 0) usage(`no such suite: ${args.suite?.join(", ")}`);

  const ctx: BenchContext = { quick: args.quick ?? false, log: (line) => process.stderr.write(`${line}\n`) };
  const metrics: Record<string, number> = {};
  const rows: [string, string, string][] = [];
  let failed = 0;
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const loadavgStart = loadavg();
  ctx.log(`load average ${loadavgStart.join(", ")}`);
  for (const suite of selected) {
    ctx.log(`# ${suite.name}${ctx.quick ? " (quick)" : ""}`);
    const t = performance.now();
    try {
      const result = await suite.run(ctx);
      for (const [name, value] of Object.entries(result)) {
        metrics[name] = round(value);
        rows.push([suite.name, name, metrics[name].toLocaleString("en-US")]);
      }
      ctx.log(`  done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    } catch (e) {
      failed++;
      ctx.log(`  FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      rows.push([suite.name, "(failed)", "-"]);
    }
  }

  const width = [5, 6, 5].map((w, i) => Math.max(w, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `${r[0].padEnd(width[0])}  ${r[1].padEnd(width[1])}  ${r[2].padStart(width[2])}`;
  const cpu = os.cpus()[0]?.model ?? "unknown";
  process.stdout.write(`node ${process.version}, ${cpu}, ${os.cpus().length} cpus${ctx.quick ? ", quick" : ""}\n`);
  process.stdout.write(`${line(["suite", "metric", "value"])}\n${line(width.map((w) => "-".repeat(w)))}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
  process.stdout.write(`total ${((performance.now() - started) / 1000).toFixed(1)} s\n`);

  if (args.json !== undefined) {
    const record: BenchRecord = {
      node: process.version,
      cpu,
      cpus: os.cpus().length,
      quick: ctx.quick,
      startedAt,
      endedAt: new Date().toISOString(),
      ...gitState(),
      loadavgStart,
      loadavgEnd: loadavg(),
      suites: selected.map((s) => s.name),
      metrics,
    };
    writeFileSync(args.json, `${JSON.stringify(record, null, 2)}\n`);
    ctx.log(`wrote ${args.json}`);
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
