/**
 * `npm run bench -- [--quick] [--json FILE] [--suite NAME ...]`
 *
 * Runs the suites of test/bench/suites.ts, prints a table on stdout and, with
 * --json, writes {"node": ..., "cpu": ..., "metrics": {name: number}}. A suite
 * that fails is reported and the others still run; the exit code is then 1.
 */
import { writeFileSync } from "node:fs";
import * as os from "node:os";
import { parseArgs } from "node:util";
import { round, type BenchContext } from "./harness.js";
import { suites } from "./suites.js";

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
    writeFileSync(args.json, `${JSON.stringify({ node: process.version, cpu, metrics }, null, 2)}\n`);
    ctx.log(`wrote ${args.json}`);
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
