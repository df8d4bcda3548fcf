/**
 * D-Bus at run time (issue 14 item 8): our generated services and proxies on
 * a real dbus-daemon, beside dbus-next and GDBus on the same daemon in the
 * same run (docs/bench/README.md, "The dbus suite", says what each one is).
 *
 * - dbus_rtt_p50_us, dbus_rtt_p95_us: sequential `CalculatorClient.echo(ARG_64)`
 *   (the generated client of examples/demo over dbusProxy) → the private
 *   dbus-daemon → the generated skeleton served with exportService in
 *   another process (dbus-service-peer.ts) and back.
 * - baseline_dbus_next_rtt_p50_us, _p95_us: dbus-next's Echo client and
 *   service (rpc-dbus-peer.ts) with the same 64-byte string; the rpc suite's
 *   code path (its own series is `baseline_dbus_next_rtt_p95_us_rpcrun`).
 * - baseline_gdbus_rtt_p50_us, _p95_us: GDBus (python3-gi) client and service
 *   (gdbus-baseline.py); absent, with a message, without python3-gi.
 * - dbus_signals_per_s: `computed` signals (a 64-character `op` and the
 *   sequence number as `result`) from the generated CalculatorEmitter over
 *   exportService in dbus-service-peer.ts, through the daemon, to
 *   `CalculatorClient.onComputed` over dbusProxy in this process; counted at
 *   the receiver, each checked to arrive once and in order, with the dbus-next
 *   baseline's flow control (events-dbus.ts WINDOW / ACK_EVERY).
 * - baseline_dbus_next_signals_per_s: events-dbus.ts on the same daemon, its
 *   runs alternating with ours (the bus suite measures the same between its
 *   own rounds as `baseline_dbus_next_signals_per_s_busrun`).
 *
 * The three callers run in interleaved rounds (as rpc.bench.ts does), from
 * two client processes (dbus-rtt-client.ts: ours and dbus-next;
 * gdbus-baseline.py `rounds`). Every process of a round trip (callers,
 * services, the daemon) is pinned to CPU 0: a round trip is four wake-ups
 * (caller → daemon → service → daemon → caller), and on this VM a wake-up
 * across CPUs costs ~40 µs more than one on the same CPU (the shm suite's
 * baseline_c_futex_xcpu_rtt vs baseline_c_futex_rtt); unpinned, the
 * scheduler's placement made the same code read p50 84 µs in one run and
 * 183 µs in the next. The signals use a second daemon, not pinned, with
 * the emitters on CPU 1 and the receiver (this process) not pinned: with
 * that daemon on CPU 0 too, it and the receiver shared a CPU. Without
 * taskset or a second CPU nothing is pinned and the log says so.
 * `NOVA_BENCH_PEER_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"` profiles every
 * node peer (callers and services).
 */
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DbusConnection } from "../../runtime/dbus/connection.js";
import { dbusProxy } from "../../runtime/dbus/proxy.js";
import { CalculatorClient, CalculatorDbus, type Entry } from "../../examples/demo/generated/org.novade.demo.js";
import { DBUS_BENCH, SIGNAL_OP } from "./dbus-service-peer.js";
import { ACK_EVERY, WINDOW, openDbusSignals } from "./events-dbus.js";
import type { BenchContext, BenchSuite } from "./harness.js";
import { canPin, median, ready, startPeer as startLinePeer, startProcess, type Peer } from "./peer-process.js";
import { startPeer, startPrivateBus, type BenchProcess } from "./rpc-bench-procs.js";

type Metrics = Record<string, number>;

/** How much each measurement does. */
interface Sizes {
  /** Timed calls of each caller, over `rounds` interleaved rounds. */
  calls: number;
  rounds: number;
  /** Untimed calls of each caller first. */
  warm: number;
  /** Signals per run (ours, dbus-next) and alternating runs of each. */
  signals: number;
  dbusNextSignals: number;
  signalRuns: number;
}

/** Full runs, `--quick`, and `tiny` (the suite's own test: the same code, small counts). */
function sizes(quick: boolean, tiny: boolean): Sizes {
  if (tiny) return { calls: 600, rounds: 6, warm: 200, signals: 5000, dbusNextSignals: 2000, signalRuns: 3 };
  return quick
    ? { calls: 3000, rounds: 30, warm: 500, signals: 30_000, dbusNextSignals: 5000, signalRuns: 3 }
    : { calls: 20_000, rounds: 100, warm: 2000, signals: 200_000, dbusNextSignals: 30_000, signalRuns: 5 };
}

/**
 * Pins a running process (every thread) to `cpu`, or leaves it alone when `cpu` is undefined: how
 * the round trips' daemon, started by rpc-bench-procs.ts `startPrivateBus`, joins their CPU.
 */
function pinProcess(pid: number, cpu: number | undefined): void {
  if (cpu === undefined) return;
  const r = spawnSync("taskset", ["-a", "-p", "-c", String(cpu), String(pid)], { stdio: "ignore" });
  if (r.status !== 0) throw new Error(`taskset could not pin process ${pid} to CPU ${cpu}`);
}

/** Debian's python3, which has python3-gi (a python3 earlier on PATH may not). */
const PYTHON = "/usr/bin/python3";

/** gdbus-baseline.py in the source tree (it is not compiled into dist/). */
function gdbusScript(): string {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith(".ts") ? join(dirname(here), "gdbus-baseline.py") : resolve(dirname(here), "../../../test/bench/gdbus-baseline.py");
}

/** Why the GDBus baseline cannot run, or undefined when it can. */
function gdbusMissing(): string | undefined {
  const r = spawnSync(PYTHON, ["-c", "from gi.repository import Gio"], { stdio: "ignore" });
  return r.status === 0 ? undefined : `${PYTHON} cannot import gi.repository.Gio: install the Debian package python3-gi`;
}

/** The line-driven processes of the round trips. */
interface Callers {
  node: Peer;
  gdbus: Peer | undefined;
}

async function command(peer: Peer, line: string): Promise<string> {
  peer.child.stdin!.write(`${line}\n`);
  return peer.next();
}

async function expectOk(peer: Peer, line: string): Promise<void> {
  const answer = await command(peer, line);
  if (answer !== "ok") throw new Error(`${line}: the caller answered ${answer}`);
}

/** The three round-trip series in interleaved rounds (see the file comment). */
async function roundTrips(metrics: Metrics, callers: Callers, size: Sizes): Promise<void> {
  const { node, gdbus } = callers;
  await expectOk(node, `warm ${size.warm}`);
  if (gdbus !== undefined) await expectOk(gdbus, `warm ${size.warm}`);
  const share = (r: number): number => Math.floor(((r + 1) * size.calls) / size.rounds) - Math.floor((r * size.calls) / size.rounds);
  for (let r = 0; r < size.rounds; r++) {
    await expectOk(node, `round ${share(r)} ${share(r)}`);
    if (gdbus !== undefined) await expectOk(gdbus, `round ${share(r)}`);
  }
  const lat = JSON.parse(await command(node, "end")) as Record<"ours" | "next", { p50: number; p95: number; n: number }>;
  if (lat.ours.n !== size.calls || lat.next.n !== size.calls) throw new Error(`round trips: ${lat.ours.n} and ${lat.next.n} timed, expected ${size.calls}`);
  metrics.dbus_rtt_p50_us = lat.ours.p50;
  metrics.dbus_rtt_p95_us = lat.ours.p95;
  metrics.baseline_dbus_next_rtt_p50_us = lat.next.p50;
  metrics.baseline_dbus_next_rtt_p95_us = lat.next.p95;
  if (gdbus !== undefined) {
    const g = JSON.parse(await command(gdbus, "end")) as { p50_us: number; p95_us: number; n: number };
    if (g.n !== size.calls) throw new Error(`GDBus round trips: ${g.n} timed, expected ${size.calls}`);
    metrics.baseline_gdbus_rtt_p50_us = g.p50_us;
    metrics.baseline_gdbus_rtt_p95_us = g.p95_us;
  }
}

/** Our signal receiver: the generated client's `onComputed` over dbusProxy, acknowledging like events-dbus.ts. */
async function openOurSignals(address: string): Promise<{ rate(count: number): Promise<number>; close(): Promise<void> }> {
  const conn = await DbusConnection.connect({ address });
  const port = dbusProxy(conn, { destination: DBUS_BENCH.name, interfaces: [CalculatorDbus] });
  const control = (member: string, signature: string, body: unknown[]): void =>
    void conn.call({ destination: DBUS_BENCH.name, path: DBUS_BENCH.control.path, interface: DBUS_BENCH.control.iface, member, signature, body }, { noReply: true });
  let onEntry: (entry: Entry) => void = () => undefined;
  const off = new CalculatorClient(port).onComputed((entry) => onEntry(entry));
  await port.subscribed();
  const rate = (count: number): Promise<number> =>
    new Promise((resolve, reject) => {
      let next = 0;
      const t = process.hrtime.bigint();
      onEntry = (entry) => {
        if (entry.result !== next || entry.op !== SIGNAL_OP) {
          onEntry = () => undefined;
          reject(new Error(`signal ${entry.result} (${entry.op.length} characters) arrived, expected ${next}`));
          return;
        }
        next++;
        if (next === count) {
          onEntry = () => undefined;
          resolve(count / (Number(process.hrtime.bigint() - t) / 1e9));
        } else if (next % ACK_EVERY === 0) control("Ack", "u", [next]);
      };
      control("Run", "uu", [count, WINDOW]);
    });
  return {
    rate,
    async close() {
      off();
      await port.close();
      await conn.close();
    },
  };
}

/** Our signals and dbus-next's, runs alternating; the median run of each. */
async function signalRates(metrics: Metrics, address: string, size: Sizes, cpu: number | undefined, log: (line: string) => void): Promise<void> {
  const ours = await openOurSignals(address);
  try {
    const next = await openDbusSignals({ address, cpu });
    try {
      await ours.rate(size.signals);
      const rates = { ours: [] as number[], next: [] as number[] };
      for (let r = 0; r < size.signalRuns; r++) {
        rates.ours.push(await ours.rate(size.signals));
        rates.next.push(await next.rate(size.dbusNextSignals));
      }
      const show = (xs: number[]) => xs.map((x) => Math.round(x).toLocaleString("en-US")).join(", ");
      log(`  ours: ${size.signalRuns} × ${size.signals} in order, ${show(rates.ours)} /s; dbus-next: ${size.signalRuns} × ${size.dbusNextSignals}, ${show(rates.next)} /s`);
      metrics.dbus_signals_per_s = Math.round(median(rates.ours));
      metrics.baseline_dbus_next_signals_per_s = Math.round(median(rates.next));
    } finally {
      await next.close();
    }
  } finally {
    await ours.close();
  }
}

/**
 * The round trips: the three services and the two calling processes, all on
 * `cpu` (the daemon too, see the file comment); the processes are stopped after.
 */
async function roundTripPhase(metrics: Metrics, address: string, size: Sizes, cpu: number | undefined, gdbusOk: boolean, log: (line: string) => void): Promise<void> {
  const services: BenchProcess[] = [];
  const lines: Peer[] = [];
  try {
    services.push(await startPeer("./dbus-service-peer.js", [address], cpu), await startPeer("./rpc-dbus-peer.js", [address], cpu));
    let gdbus: Peer | undefined;
    if (gdbusOk) {
      const service = startProcess([PYTHON, gdbusScript(), "serve", address], { cpu, label: "gdbus-baseline.py serve" });
      lines.push(service);
      await ready(service);
      gdbus = startProcess([PYTHON, gdbusScript(), "rounds", address], { cpu, label: "gdbus-baseline.py rounds" });
      lines.push(gdbus);
      await ready(gdbus);
    }
    const node = startLinePeer("dbus-rtt-client.js", [address], cpu);
    lines.push(node);
    await ready(node);
    log(`dbus: round trips in ${size.rounds} interleaved rounds, ${size.calls} calls each: ours, dbus-next${gdbus ? ", GDBus" : ""}`);
    await roundTrips(metrics, { node, gdbus }, size);
  } finally {
    for (const p of lines.reverse()) await p.stop();
    for (const s of services.reverse()) await s.stop();
  }
}

/** Runs the suite: round trips on one private daemon, then signals on another (each pinned as the file comment says). */
export async function runDbusBench(options: { quick: boolean; log: (line: string) => void; tiny?: boolean }): Promise<Metrics> {
  const { log } = options;
  const size = sizes(options.quick, options.tiny ?? false);
  const pin = canPin();
  log(pin ? "dbus: round trips with every process on CPU 0; signal emitters on CPU 1" : "dbus: NOT pinned (no taskset or one CPU): figures depend on the scheduler's placement");
  const missing = gdbusMissing();
  if (missing !== undefined) log(`  baseline_gdbus_rtt_* absent: ${missing}`);
  const metrics: Metrics = {};
  const rttBus = await startPrivateBus();
  try {
    pinProcess(rttBus.pid, pin ? 0 : undefined);
    await roundTripPhase(metrics, rttBus.address, size, pin ? 0 : undefined, missing === undefined, log);
  } finally {
    await rttBus.stop();
  }
  log(`dbus: signals, ours and dbus-next alternating, at most ${WINDOW} beyond the receiver's acknowledgements`);
  const bus = await startPrivateBus();
  try {
    const emitter = await startPeer("./dbus-service-peer.js", [bus.address], pin ? 1 : undefined);
    try {
      await signalRates(metrics, bus.address, size, pin ? 1 : undefined, log);
    } finally {
      await emitter.stop();
    }
  } finally {
    await bus.stop();
  }
  return metrics;
}

/** The `dbus` suite of `npm run bench`. */
export const dbusSuite: BenchSuite = {
  name: "dbus",
  run: (ctx: BenchContext) => runDbusBench({ quick: ctx.quick, log: (line) => ctx.log(line) }),
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const metrics = await runDbusBench({ quick: process.argv.includes("--quick"), log: (l) => process.stderr.write(l + "\n") });
  process.stdout.write(JSON.stringify(metrics, null, 2) + "\n");
}
