/**
 * Cross-process event metrics (issue 12 item 6), through a real `nova bus`
 * daemon process (test/bench/bus-peer.ts runs every process):
 *
 * - events_xproc_per_s: one publisher process → daemon → one subscriber
 *   process; 64-byte value sections (a 62-character string, msgpack). The
 *   publisher publishes N events as fast as its socket takes them
 *   (`tryPublish`, waiting on `writable()` when the queue is full), then an
 *   acknowledged `bench.end`; the rate is N divided by the time from the first
 *   publish to the subscriber's receipt of `bench.end` (after all N). Every
 *   subscriber checks it received exactly N events of the right size, so
 *   nothing is dropped or skipped unnoticed.
 * - events_xproc_fanout10_per_s: the same with 10 subscriber processes; the
 *   rate is N over the time until the LAST subscriber had all N (events per
 *   second delivered to every subscriber). events_xproc_fanout10_deliveries_per_s
 *   is that times 10 (frames the daemon wrote per second).
 *
 * - baseline_dbus_next_signals_per_s_busrun: dbus-next signals through a private
 *   dbus-daemon (events-dbus.ts), one run of 30,000 after each measured
 *   events_xproc_per_s round, so the two figures of the ratio
 *   (events_xproc_vs_dbus_next, target ≥ 50) see the same machine. The name
 *   `baseline_dbus_next_signals_per_s` belongs to the dbus suite
 *   (dbus.bench.ts), which measures it beside our own D-Bus signals.
 *
 * Median of the rounds, after two warm-up rounds. The daemon runs with overflow bounds large enough
 * for a whole round, so a burst is queued rather than dropped (the drop
 * policy is tested in the suite, not measured here). The other baseline is
 * baseline_raw_relay_per_s: the same three-process path with plain
 * length-prefixed 64-byte messages relayed by a process that reads and
 * writes sockets and nothing else (test/bench/raw-relay-peer.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchContext, BenchSuite } from "./harness.js";
import { median, ready, startPeer, type Peer } from "./peer-process.js";
import { openDbusSignals } from "./events-dbus.js";

/** 62 characters: a 64-byte msgpack value section. */
export const PAYLOAD_CHARS = 62;

/** Rounds of N events from one publisher to `subscribers` subscriber processes; the median rate. */
async function xproc(dir: string, subscribers: number, count: number, rounds: number, log: (l: string) => void, afterRound?: () => Promise<void>): Promise<number> {
  const socket = join(dir, `bus-${subscribers}.sock`);
  const peers: Peer[] = [];
  try {
    const daemon = startPeer("./bus-peer.js", ["daemon", socket]);
    peers.push(daemon);
    await ready(daemon);
    const subs: Peer[] = [];
    for (let i = 0; i < subscribers; i++) {
      const sub = startPeer("./bus-peer.js", ["sub", socket, "bench.data"]);
      peers.push(sub);
      subs.push(sub);
    }
    for (const s of subs) await ready(s);
    const pub = startPeer("./bus-peer.js", ["pub", socket, "bench.data", String(count), String(PAYLOAD_CHARS)]);
    peers.push(pub);
    await ready(pub);
    const rates: number[] = [];
    // Two warm-up rounds, not counted: the three processes' JIT settles over the first million events.
    for (let round = -1; round <= rounds; round++) {
      pub.child.stdin!.write("go\n");
      const sent = BigInt((await pub.next()).split(" ")[1]!);
      let last = 0n;
      for (const s of subs) {
        const [word, got, at, bytes] = (await s.next()).split(" ");
        if (word !== "done" || Number(got) !== count || Number(bytes) !== count * PAYLOAD_CHARS) {
          throw new Error(`subscriber received ${got} events (${bytes} payload characters), expected ${count} (${count * PAYLOAD_CHARS})`);
        }
        if (BigInt(at!) > last) last = BigInt(at!);
      }
      const rate = count / (Number(last - sent) / 1e9);
      if (round > 0) rates.push(rate);
      log(`  xproc ${subscribers} subscriber(s), round ${round}${round <= 0 ? " (warm-up)" : ""}: ${Math.round(rate).toLocaleString("en-US")} events/s`);
      if (round > 0 && afterRound !== undefined) await afterRound();
    }
    return median(rates);
  } finally {
    for (const p of peers.reverse()) await p.stop();
  }
}

/** The raw three-process relay (see the file comment); messages per second, median of rounds. */
async function rawRelay(dir: string, count: number, rounds: number, log: (l: string) => void): Promise<number> {
  const socket = join(dir, "relay.sock");
  const peers: Peer[] = [];
  try {
    const relay = startPeer("./raw-relay-peer.js", ["relay", socket]);
    peers.push(relay);
    await ready(relay);
    const sub = startPeer("./raw-relay-peer.js", ["sub", socket]);
    peers.push(sub);
    await ready(sub);
    const pub = startPeer("./raw-relay-peer.js", ["pub", socket, String(count)]);
    peers.push(pub);
    await ready(pub);
    const rates: number[] = [];
    for (let round = 0; round <= rounds; round++) {
      pub.child.stdin!.write("go\n");
      const sent = BigInt((await pub.next()).split(" ")[1]!);
      const [word, got, at] = (await sub.next()).split(" ");
      if (word !== "done" || Number(got) !== count) throw new Error(`raw subscriber received ${got} messages, expected ${count}`);
      const rate = count / (Number(BigInt(at!) - sent) / 1e9);
      if (round > 0) rates.push(rate);
      log(`  raw relay, round ${round}${round === 0 ? " (warm-up)" : ""}: ${Math.round(rate).toLocaleString("en-US")} messages/s`);
    }
    return median(rates);
  } finally {
    for (const p of peers.reverse()) await p.stop();
  }
}

/** Runs the suite; also used by `node dist/test/bench/bus.bench.js [--quick]`. */
export async function runBusBench(options: { quick: boolean; log: (line: string) => void; events?: number }): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), "nova-bench-bus-"));
  // `events` (tests only) shrinks every round to that many events.
  const n = options.events ?? (options.quick ? 200_000 : 1_000_000);
  const rounds = options.quick ? 3 : 5;
  try {
    const metrics: Record<string, number> = {};
    metrics.baseline_raw_relay_per_s = Math.round(await rawRelay(dir, n, rounds, options.log));
    // The dbus-next baseline runs between the measured rounds (its own processes; ours wait idle),
    // so both figures of the ratio see the same machine.
    const signals = await openDbusSignals();
    const dbusRates: number[] = [];
    const dbusCount = options.events !== undefined ? 2000 : options.quick ? 5000 : 30_000;
    try {
      metrics.events_xproc_per_s = Math.round(
        await xproc(dir, 1, n, rounds, options.log, async () => {
          const rate = await signals.rate(dbusCount);
          dbusRates.push(rate);
          options.log(`  dbus-next signals, ${dbusCount} received in order: ${Math.round(rate).toLocaleString("en-US")} /s`);
        }),
      );
    } finally {
      await signals.close();
    }
    metrics.baseline_dbus_next_signals_per_s_busrun = Math.round(median(dbusRates));
    metrics.events_xproc_vs_dbus_next = Math.round(metrics.events_xproc_per_s / metrics.baseline_dbus_next_signals_per_s_busrun);
    const fan = await xproc(dir, 10, options.events ?? (options.quick ? 50_000 : 200_000), rounds, options.log);
    metrics.events_xproc_fanout10_per_s = Math.round(fan);
    metrics.events_xproc_fanout10_deliveries_per_s = Math.round(fan * 10);
    metrics.events_xproc_vs_raw_relay = Math.round((metrics.events_xproc_per_s / metrics.baseline_raw_relay_per_s) * 1000) / 1000;
    return metrics;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The `bus` suite of `npm run bench`. */
export const busSuite: BenchSuite = {
  name: "bus",
  run: (ctx: BenchContext) => runBusBench({ quick: ctx.quick, log: (line) => ctx.log(line) }),
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const metrics = await runBusBench({ quick: process.argv.includes("--quick"), log: (l) => process.stderr.write(l + "\n") });
  process.stdout.write(JSON.stringify(metrics, null, 2) + "\n");
}
