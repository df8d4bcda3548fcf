/**
 * The calling process of the dbus suite's round trips (dbus.bench.ts), a
 * process of its own so that it can be pinned to a CPU:
 *
 *   node dist/test/bench/dbus-rtt-client.js <bus address>
 *
 * Two callers on the same private bus: ours, the generated CalculatorClient
 * over dbusProxy (→ dbus-service-peer.ts, our generated skeleton), and
 * dbus-next's (rpc-dbus-peer.ts `dbusNextEcho` → its Echo service). Both send
 * `echo(ARG_64)`. Prints `ready <pid>`, then answers stdin commands, one
 * line each, so the bench can interleave its rounds with other processes':
 *
 *   warm <n>              n untimed calls of each caller → `ok`
 *   round <ours> <next>   that many timed calls of each, ours first → `ok`
 *   end                   one JSON line: {"ours": {"p50", "p95", "n"}, "next": {…}} (µs), then exits
 */
import { createInterface } from "node:readline";
import { DbusConnection } from "../../runtime/dbus/connection.js";
import { dbusProxy } from "../../runtime/dbus/proxy.js";
import { CalculatorClient, CalculatorDbus } from "../../examples/demo/generated/org.novade.demo.js";
import { DBUS_BENCH } from "./dbus-service-peer.js";
import { dbusNextEcho } from "./rpc-dbus-peer.js";
import { ARG_64, quantile } from "./rpc.bench.js";

/** Percentiles (µs) of one series. */
interface SeriesSummary {
  p50: number;
  p95: number;
  n: number;
}

function summary(lat: number[]): SeriesSummary {
  const sorted = Float64Array.from(lat).sort();
  return { p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), n: sorted.length };
}

async function timed(n: number, once: () => Promise<unknown>, into: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    const answer = await once();
    into.push(Number(process.hrtime.bigint() - t) / 1000);
    if (answer !== ARG_64) throw new Error(`echo answered ${String(answer)}`);
  }
}

async function main(): Promise<void> {
  const address = process.argv[2]!;
  const conn = await DbusConnection.connect({ address });
  const ours = new CalculatorClient(dbusProxy(conn, { destination: DBUS_BENCH.name, interfaces: [CalculatorDbus] }));
  const next = await dbusNextEcho(address);
  const lat = { ours: [] as number[], next: [] as number[] };
  const callOurs = (): Promise<string> => ours.echo(ARG_64);
  const callNext = (): Promise<string> => next.echo(ARG_64);
  process.stdout.write(`ready ${process.pid}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    const [word, a, b] = line.split(" ");
    if (word === "warm") {
      await timed(Number(a), callOurs, []);
      await timed(Number(a), callNext, []);
    } else if (word === "round") {
      await timed(Number(a), callOurs, lat.ours);
      await timed(Number(b), callNext, lat.next);
    } else if (word === "end") {
      next.close();
      await conn.close();
      process.stdout.write(`${JSON.stringify({ ours: summary(lat.ours), next: summary(lat.next) })}\n`);
      return;
    } else throw new Error(`unknown command ${line}`);
    process.stdout.write("ok\n");
  }
}

// A clean exit on SIGTERM (how the bench stops a profiled peer), so --cpu-prof writes its profile.
process.on("SIGTERM", () => process.exit(0));

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`dbus-rtt-client: ${String(error)}\n`);
    process.exit(1);
  },
);
