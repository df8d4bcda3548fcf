/**
 * Event system metrics (issue 12 item 6), each beside its baseline in the
 * same run (docs/bench/README.md says what each one is):
 *
 * - events_inproc_per_s: sync `emit` to one exact topic with one handler.
 * - events_inproc_wildcard_per_s: sync `emit("window.opened")` delivered to
 *   one `window.**` handler registered among 1,000 other patterns (exact
 *   topics and wildcards on other prefixes) that match none of it.
 * - events_inproc_wildcard_rr64_per_s: the same bus, emits round robin to 64
 *   topics under `window.`, so every emit pays the per-topic cache lookup.
 * - events_10k_handlers_per_s: the definition: 10,000 handlers on
 *   distinct topics; emit to one of them, chosen at random per run, in the
 *   same loop as events_inproc_per_s.
 * - events_10k_handlers_rr64_per_s: the same bus, emits round robin to 64 of
 *   the 10,000 topics: the harder figure, kept so the topic lookup shows.
 * - events_dispatch_p95_us: p95 of in-process dispatch latency; each sample
 *   times 100 back-to-back emits with one pair of `process.hrtime.bigint()`
 *   calls and divides by 100, so the timer's own cost (~50 ns) stays out.
 * - events_persist_per_s: `EventLog.append` with group commit, 64-byte value
 *   sections, 10,000 appends in flight, in a temporary directory.
 * - baseline_eventemitter_per_s: node's EventEmitter, one listener, the same
 *   handler work and payload as events_inproc_per_s.
 *
 * The in-process throughputs run each in a process of its own
 * (events-inproc-peer.ts, events-cases.ts): in one process the buses of the
 * different cases shared the bus's dispatch code, whose handler call then saw
 * many functions and was not inlined, while EventEmitter's one listener
 * always was; the figure flipped between ~65 M and ~130 M with the same code.
 * Alone, each case (the baseline included) gets the same optimisation.
 * They run in interleaved rounds after a warm-up (like rpc.bench.ts's round
 * trips), one at a time, so machine noise hits them alike. Every handler adds
 * the payload to a counter, and the counts are checked after the run, so no
 * dispatch can be optimised away or silently missed.
 *
 * Not measured here: events_xproc_per_s and events_xproc_fanout10_per_s
 * need the `nova bus` daemon and have their own suite (bus.bench.ts), which
 * also measures a dbus-next signal baseline between its rounds.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEventBus, type BusEvent, type EventBus } from "../../runtime/events/index.js";
import { EventLog } from "../../runtime/events/log/index.js";
import type { EventMessage } from "../../runtime/wire/message.js";
import type { BenchContext, BenchSuite } from "./harness.js";
import { CASES, type CaseName } from "./events-cases.js";
import { median, ready, startPeer, type Peer } from "./peer-process.js";

export { otherPatterns } from "./events-cases.js";
/** Emits per latency sample (see the file comment). */
const EMITS_PER_SAMPLE = 100;

/**
 * The in-process throughput cases, each in its own process (see the file
 * comment), measured in interleaved rounds: one case measures at a time
 * while the others wait idle, so machine noise hits them alike. Median round.
 */
async function inprocRates(t: { warmupMs: number; measureMs: number; rounds: number }, log: (l: string) => void): Promise<Record<CaseName, number>> {
  const peers = new Map<CaseName, Peer>();
  try {
    // One at a time: six processes warming up together on two cores starved V8's background
    // compiler, and now and then a case was measured before its loop was optimised (~17 M/s).
    for (const name of CASES) {
      const peer = startPeer("./events-inproc-peer.js", [name, String(t.warmupMs)]);
      peers.set(name, peer);
      await ready(peer);
    }
    const rates = new Map<CaseName, number[]>(CASES.map((n) => [n, []]));
    const perRound = t.measureMs / t.rounds;
    for (let r = 0; r < t.rounds; r++) {
      for (const name of CASES) {
        const peer = peers.get(name)!;
        peer.child.stdin!.write(`round ${perRound}\n`);
        rates.get(name)!.push(Number(await peer.next()));
      }
    }
    for (const [name, peer] of peers) {
      peer.child.stdin!.write("end\n");
      const verdict = await peer.next();
      if (verdict !== "ok") throw new Error(`events case ${name}: ${verdict}`);
    }
    const out = {} as Record<CaseName, number>;
    for (const name of CASES) {
      out[name] = median(rates.get(name)!);
      log(`  ${name}: ${Math.round(out[name]).toLocaleString("en-US")} emits/s (median of ${t.rounds} rounds)`);
    }
    return out;
  } finally {
    for (const peer of peers.values()) await peer.stop();
  }
}

/** Sorted per-emit latencies (µs), each the mean of {@link EMITS_PER_SAMPLE} back-to-back emits. */
function dispatchLatencies(bus: EventBus, samples: number): Float64Array {
  const out = new Float64Array(samples);
  for (let s = 0; s < samples; s++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < EMITS_PER_SAMPLE; i++) bus.emit("window.focused", i);
    out[s] = Number(process.hrtime.bigint() - t) / 1000 / EMITS_PER_SAMPLE;
  }
  return out.sort();
}

/** An Event whose value section (the msgpack data) is exactly 64 bytes: bin8 header (2) + 62. */
function persistEvent(i: number, data: Uint8Array): EventMessage {
  return {
    type: "event",
    messageId: BigInt(i + 1),
    correlationId: 0n,
    timestampNs: 1_764_806_400_000_000_000n + BigInt(i),
    body: { eventType: "bench.persist", data, sourceId: 1n, priority: 0 },
  };
}

/** Appends `count` events, `inflight` at a time; returns events/s (acknowledged = durable). */
async function appendRun(log: EventLog, count: number, inflight: number, first: number): Promise<number> {
  const data = new Uint8Array(62).fill(0x5a);
  const t = process.hrtime.bigint();
  let window: Array<Promise<unknown>> = [];
  for (let i = 0; i < count; i++) {
    window.push(log.append(persistEvent(first + i, data)));
    if (window.length >= inflight) {
      await Promise.all(window);
      window = [];
    }
  }
  await Promise.all(window);
  return count / (Number(process.hrtime.bigint() - t) / 1e9);
}

/** Group-commit append rate: a warm-up run, then the median of `runs` measured runs, in a temp dir removed afterwards. */
async function persistRate(count: number, runs: number, log: (line: string) => void): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "nova-bench-evlog-"));
  try {
    const eventLog = await EventLog.open(dir, { fsync: "group" });
    try {
      const inflight = 10_000;
      let next = 0;
      await appendRun(eventLog, Math.min(count, 50_000), inflight, next);
      next += Math.min(count, 50_000);
      const rates: number[] = [];
      for (let r = 0; r < runs; r++) {
        rates.push(await appendRun(eventLog, count, inflight, next));
        next += count;
      }
      if (eventLog.nextOffset !== next) throw new Error(`event log holds ${eventLog.nextOffset} records, expected ${next}`);
      log(`  persist: ${runs} × ${count} appends, ${eventLog.writeCount} writes, ${eventLog.fsyncCount} fsyncs`);
      rates.sort((a, b) => a - b);
      return rates[Math.floor(rates.length / 2)];
    } finally {
      await eventLog.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs every events benchmark and returns the metrics by name. */
export async function runEventsBench(options: { quick?: boolean; log?: (line: string) => void } = {}): Promise<Record<string, number>> {
  const quick = options.quick ?? false;
  const log = options.log ?? (() => undefined);
  // Short rounds, many of them: bursts of load on the shared VM last a fraction of a second.
  const t = quick ? { warmupMs: 300, measureMs: 600, rounds: 8 } : { warmupMs: 1000, measureMs: 4000, rounds: 40 };
  log(`events: in-process throughput, one process per case, ${t.rounds} interleaved rounds`);
  const r = await inprocRates(t, log);
  log("events: dispatch latency");
  const samples = quick ? 20_000 : 100_000;
  const exact = createEventBus();
  let sink = 0;
  exact.registerEventHandler("window.focused", (e: BusEvent) => void (sink += e.data as number));
  dispatchLatencies(exact, samples / 10);
  const lat = dispatchLatencies(exact, samples);
  if (sink <= 0) throw new Error("dispatch latency: the handler never ran");
  log("events: persistent appends, group commit");
  const persist = await persistRate(quick ? 50_000 : 300_000, quick ? 1 : 3, log);
  return {
    events_inproc_per_s: r.exact,
    events_inproc_wildcard_per_s: r.wild,
    events_inproc_wildcard_rr64_per_s: r.wildRr,
    events_dispatch_p95_us: lat[Math.min(lat.length - 1, Math.floor(0.95 * lat.length))],
    events_10k_handlers_per_s: r.tenK,
    events_10k_handlers_rr64_per_s: r.tenKRr,
    events_persist_per_s: persist,
    baseline_eventemitter_per_s: r.ee,
  };
}

/** The suite as `npm run bench` runs it (registered in test/bench/suites.ts). */
export const eventsSuite: BenchSuite = {
  name: "events",
  run: (ctx: BenchContext) => runEventsBench({ quick: ctx.quick, log: (line) => ctx.log(line) }),
};
