/**
 * Wayland metrics (issue 15 item 7), each beside its libwayland baseline in the same run
 * (docs/bench/README.md, "The wayland suite", says what each one is):
 *
 * - wayland_roundtrip_p50_us, wayland_roundtrip_p95_us: `WaylandClient.roundtrip()`
 *   (wl_display.sync → wl_callback.done) from our client's process (wl-client-peer.ts) to our
 *   server's (wl-server-peer.ts: WaylandServer + addNovaGlobals).
 * - baseline_libwayland_roundtrip_p50_us, _p95_us: `wl_display_roundtrip` from a C client
 *   (c/wl-bench-client.c, compiled here with gcc against libwayland-client) to the same server
 *   process, in the same interleaved rounds. Target: wayland_roundtrip_p95_us ≤ 2 × this.
 * - baseline_libwayland_weston_roundtrip_p50_us, _p95_us: the same C client against weston
 *   headless (what a C compositor answers in), in the same rounds; absent, with a message,
 *   without weston.
 * - wayland_msgs_per_s: one-way requests, our client → our server: runs of
 *   `wl_surface.damage_buffer(0, 0, 64, 64)` (24 bytes each) in windows of 1,000, each window
 *   followed by a wl_display.sync and at most two windows unacknowledged, counted by the
 *   server and timed there from the first request of a run to the `wl_surface.commit` that ends
 *   it; median of the runs.
 * - baseline_libwayland_msgs_per_s: the same runs from the C client, interleaved run by run.
 *
 * Clients run on CPU 0 and servers (ours and weston) on CPU 1 when taskset and two CPUs are
 * there (as shm.bench.ts pins its round trips): unpinned, the scheduler tends to put both ends of
 * a ping-pong on one CPU and the figures then depend on where it did. Without gcc or the
 * libwayland-client headers the libwayland baselines are logged as absent; our figures are still
 * measured.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { privateRuntimeDir, startWeston, type Weston } from "../helpers/weston.js";
import type { BenchContext, BenchSuite } from "./harness.js";
import { canPin, median, ready, startPeer, startProcess, type Peer } from "./peer-process.js";
import { quantile } from "./rpc.bench.js";

type Metrics = Record<string, number>;

/** What wl-server-peer.ts prints after each counted run: requests, ns. */
const MSGS_LINE = /^msgs (\d+) (\d+)$/;
/** Requests between two flow-control syncs of a `wayland_msgs_per_s` run. */
const WINDOW = 1000;
/** CPUs of the clients and the servers when pinned. */
const CLIENT_CPU = 0;
const SERVER_CPU = 1;

/** How much each measurement does. */
interface Sizes {
  /** Round trips of each series, and the interleaved rounds they are cut into. */
  trips: number;
  rounds: number;
  /** Requests of one throughput run, and the measured runs of each client. */
  msgs: number;
  msgRuns: number;
}

/** Full runs, `--quick`, and `tiny` (the suite's own test: the same code, small counts). */
function sizes(quick: boolean, tiny: boolean): Sizes {
  if (tiny) return { trips: 500, rounds: 5, msgs: 20_000, msgRuns: 3 };
  return quick ? { trips: 5000, rounds: 50, msgs: 200_000, msgRuns: 3 } : { trips: 20_000, rounds: 100, msgs: 1_000_000, msgRuns: 5 };
}

/** The C client source: in test/bench/c, also when this file runs compiled from dist/test/bench. */
function cSource(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const fromSource = join(here, "c", "wl-bench-client.c");
  return existsSync(fromSource) ? fromSource : resolve(here, "../../../test/bench/c/wl-bench-client.c");
}

/** Compiles wl-bench-client.c into `dir`; undefined (said through `log`) without gcc or libwayland-dev. Exported for the suite's test. */
export function compileCClient(dir: string, log: (line: string) => void): string | undefined {
  const binary = join(dir, "wl-bench-client");
  try {
    execFileSync("gcc", ["-O2", "-Wall", "-Wextra", "-o", binary, cSource(), "-lwayland-client"], { stdio: ["ignore", "ignore", "pipe"], timeout: 60_000 });
    return binary;
  } catch (e) {
    const why =
      (e as NodeJS.ErrnoException).code === "ENOENT"
        ? "no C compiler: `gcc` is not on PATH (scripts/debian-packages.txt; `npm run setup` installs it)"
        : `gcc failed (libwayland-client's header and library are in the Debian package libwayland-dev): ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`;
    log(`  baseline_libwayland_* absent: ${why}`);
    return undefined;
  }
}

/** Starts the C client against the display socket at `socketPath`, and waits for its `ready`. */
async function startCClient(binary: string, socketPath: string, cpu: number | undefined): Promise<Peer> {
  const env: NodeJS.ProcessEnv = { ...process.env, WAYLAND_DISPLAY: socketPath };
  delete env.WAYLAND_SOCKET;
  const peer = startProcess([binary], { cpu, env, label: `wl-bench-client (${socketPath})` });
  await ready(peer).catch(async (e: unknown) => (await peer.stop(), Promise.reject(e)));
  return peer;
}

/** Weston headless, pinned to the servers' CPU (all its threads) when `pin`; undefined (logged) without weston. Exported for the suite's test. */
export async function startPinnedWeston(runtimeDir: string, pin: boolean, log: (line: string) => void): Promise<Weston | undefined> {
  if (spawnSync("weston", ["--version"], { stdio: "ignore" }).error !== undefined) {
    log("  baseline_libwayland_weston_* absent: weston is not installed (Debian package weston)");
    return undefined;
  }
  const weston = await startWeston({ runtimeDir, socket: "wayland-weston" });
  if (pin && spawnSync("taskset", ["-a", "-p", "-c", String(SERVER_CPU), String(weston.pid)], { stdio: "ignore" }).status !== 0) {
    log("  weston could not be pinned: its figures are for whatever CPU the scheduler chose");
  }
  return weston;
}

/** Sends `command` to a client process and returns its answer line. */
async function ask(peer: Peer, command: string): Promise<string> {
  peer.child.stdin!.write(`${command}\n`);
  return peer.next();
}

/** Round trips of every client in interleaved rounds (after a warm-up of each); sorted µs per client. */
async function roundTrips(clients: Peer[], size: Sizes): Promise<Float64Array[]> {
  const parse = (line: string): number[] => {
    if (!line.startsWith("rt")) throw new Error(`round trips: unexpected answer ${line.slice(0, 80)}`);
    return line.slice(2).trim().split(" ").filter(Boolean).map(Number);
  };
  for (const c of clients) await ask(c, `rt ${Math.min(5000, Math.ceil(size.trips / 5))}`);
  const samples: number[][] = clients.map(() => []);
  const perRound = Math.ceil(size.trips / size.rounds);
  for (let r = 0; r < size.rounds; r++) {
    // The first client of each round rotates, so none always runs right after another's burst.
    for (let j = 0; j < clients.length; j++) {
      const k = (r + j) % clients.length;
      for (const v of parse(await ask(clients[k]!, `rt ${perRound}`))) samples[k]!.push(v);
    }
  }
  return samples.map((s) => Float64Array.from(s).sort());
}

/** Rate of one `req` run of `client`, counted and timed by the server. */
async function requestRun(client: Peer, server: Peer, n: number): Promise<number> {
  const done = await ask(client, `req ${n} ${WINDOW}`);
  if (done !== "done") throw new Error(`request run: unexpected answer ${done}`);
  const m = MSGS_LINE.exec(await server.next());
  if (m === null) throw new Error("request run: the server reported no run");
  const [count, ns] = [Number(m[1]), Number(m[2])];
  if (count !== n) throw new Error(`request run: the server counted ${count} of ${n} requests`);
  return count / (ns / 1e9);
}

/** One-way request rates of each client, run by run in turn after a warm-up run of each; the median of each. */
async function requestRates(clients: Peer[], server: Peer, size: Sizes): Promise<number[]> {
  for (const c of clients) await requestRun(c, server, size.msgs);
  const rates: number[][] = clients.map(() => []);
  for (let r = 0; r < size.msgRuns; r++) for (let k = 0; k < clients.length; k++) rates[k]!.push(await requestRun(clients[k]!, server, size.msgs));
  return rates.map(median);
}

/** Runs the suite (see the file comment). */
export async function runWaylandBench(options: { quick: boolean; log: (line: string) => void; tiny?: boolean }): Promise<Metrics> {
  const { log } = options;
  const size = sizes(options.quick, options.tiny ?? false);
  const pin = canPin();
  const clientCpu = pin ? CLIENT_CPU : undefined;
  log(`wayland: ${pin ? `clients pinned to CPU ${CLIENT_CPU}, servers to CPU ${SERVER_CPU}` : "NOT pinned (no taskset or one CPU)"}`);
  const dir = privateRuntimeDir("nova-bench-wl-");
  const peers: Peer[] = [];
  let weston: Weston | undefined;
  try {
    const server = startPeer("wl-server-peer.js", [dir, "wayland-bench"], pin ? SERVER_CPU : undefined);
    peers.push(server);
    const hello = await server.next();
    const socketPath = /^ready \d+ (.+)$/.exec(hello)?.[1];
    if (socketPath === undefined) throw new Error(`wl-server-peer: unexpected line ${hello}`);
    const ours = startPeer("wl-client-peer.js", [socketPath], clientCpu);
    peers.push(ours);
    await ready(ours);
    const binary = compileCClient(dir, log);
    const cOurs = binary === undefined ? undefined : await startCClient(binary, socketPath, clientCpu);
    if (cOurs) peers.push(cOurs);
    weston = binary === undefined ? undefined : await startPinnedWeston(dir, pin, log);
    const cWeston = weston === undefined ? undefined : await startCClient(binary!, weston.socketPath, clientCpu);
    if (cWeston) peers.push(cWeston);

    const series = [ours, cOurs, cWeston].filter((p): p is Peer => p !== undefined);
    log(`wayland: ${size.trips} round trips per client in ${size.rounds} interleaved rounds: ours → ours${cOurs ? ", libwayland → ours" : ""}${cWeston ? ", libwayland → weston" : ""}`);
    const lat = await roundTrips(series, size);
    const metrics: Metrics = {};
    const put = (prefix: string, sorted: Float64Array | undefined): void => {
      if (sorted === undefined) return;
      metrics[`${prefix}_p50_us`] = quantile(sorted, 0.5);
      metrics[`${prefix}_p95_us`] = quantile(sorted, 0.95);
      log(`  ${prefix}: p50 ${quantile(sorted, 0.5).toFixed(1)} µs, p95 ${quantile(sorted, 0.95).toFixed(1)}, p99 ${quantile(sorted, 0.99).toFixed(1)}`);
    };
    put("wayland_roundtrip", lat[0]);
    put("baseline_libwayland_roundtrip", cOurs && lat[1]);
    put("baseline_libwayland_weston_roundtrip", cWeston && lat[series.indexOf(cWeston)]);

    const senders = cOurs ? [ours, cOurs] : [ours];
    log(`wayland: ${size.msgRuns} runs of ${size.msgs} wl_surface.damage_buffer per client, in turn, counted by our server`);
    const rates = await requestRates(senders, server, size);
    metrics.wayland_msgs_per_s = rates[0]!;
    if (cOurs) metrics.baseline_libwayland_msgs_per_s = rates[1]!;
    log(`  requests/s: ours ${Math.round(rates[0]!)}${cOurs ? `, libwayland ${Math.round(rates[1]!)}` : ""}`);
    return metrics;
  } finally {
    for (const p of peers.reverse()) await p.stop();
    await weston?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The `wayland` suite of `npm run bench`. */
export const waylandSuite: BenchSuite = {
  name: "wayland",
  run: (ctx: BenchContext) => runWaylandBench({ quick: ctx.quick, log: (line) => ctx.log(line) }),
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const metrics = await runWaylandBench({ quick: process.argv.includes("--quick"), log: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(`${JSON.stringify(metrics, null, 2)}\n`);
}
