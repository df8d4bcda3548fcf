/**
 * One in-process throughput case of the events suite in a process of its own
 * (events-cases.ts), so that no other case's handlers reach its call sites:
 * V8 then optimises the bus's dispatch exactly as it does EventEmitter's in
 * the baseline's own process.
 *
 *   node dist/test/bench/events-inproc-peer.js <case> <warm-up ms>
 *
 * Prints `ready <pid>` after calibrating and warming up; then for each stdin
 * line `round <ms>` prints the rate of one round (emits per second), and for
 * `end` prints `ok` (or `error <why>` when an emit was not delivered exactly
 * once) and exits.
 */
import { createInterface } from "node:readline";
import { calibrateBatch, roundRate } from "./harness.js";
import { CASES, makeCase, type CaseName } from "./events-cases.js";

const [name, warmText] = process.argv.slice(2);
if (!CASES.includes(name as CaseName)) {
  process.stderr.write(`usage: events-inproc-peer.js ${CASES.join("|")} <warm-up ms>\n`);
  process.exit(2);
}
const kase = makeCase(name as CaseName);
const batch = calibrateBatch(kase.body);
const warmEnd = performance.now() + Number(warmText);
while (performance.now() < warmEnd) kase.body(batch);
process.stdout.write(`ready ${process.pid}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, arg] = line.trim().split(" ");
  if (cmd === "round") process.stdout.write(`${roundRate(kase.body, batch, Number(arg))}\n`);
  else if (cmd === "end") {
    const problem = kase.check();
    process.stdout.write(problem === undefined ? "ok\n" : `error ${problem}\n`);
    process.exit(0);
  }
}
