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
 * - baseline_dbus_next_signals_per_s: dbus-next signals, one emitter process
 *   through a private dbus-daemon to one receiving connection (events-dbus.ts).
 *
 * The in-process throughputs run in interleaved rounds after a warm-up
 * (like rpc.bench.ts's round trips), so machine noise hits them alike.
 * Every handler adds the payload to a counter, and the counts are checked
 * after the run, so no dispatch can be optimised away or silently missed.
 *
 * Not measured here: events_xproc_per_s and events_xproc_fanout10_per_s
 * need the `nova bus` daemon and have their own suite.
 */
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEventBus, type BusEvent, type EventBus } from "../../runtime/events/index.js";
import { EventLog } from "../../runtime/events/log/index.js";
import type { EventMessage } from "../../runtime/wire/message.js";
import { dbusSignalRate } from "./events-dbus.js";
import { measureThroughputInterleaved, type BenchContext, type BenchSuite } from "./harness.js";

/** Distinct topics the round-robin cases cycle through (a power of two). */
const ROUND_ROBIN = 64;
/** Handlers (and distinct topics) of the 10k-handler bus. */
const TEN_K = 10_000;
/** Emits per latency sample (see the file comment). */
const EMITS_PER_SAMPLE = 100;

/** Counts what the handlers received: `sum` of the payloads, `calls` of the handlers. */
class Tally {
  sum = 0;
  calls = 0;
}

/**
 * 1,000 patterns a desktop might register beside `window.**`, none on the
 * `window` prefix: exact topics (`app<i>.state.changed`,
 * `settings.app<i>.theme`), prefix wildcards (`notify.app<i>.*`,
 * `workspace<i>.**`), a wildcard in the middle (`app<i>.*.closed`) and a few
 * leading ones (`*.metric<i>`, `**.alarm<i>`), which the trie must walk for
 * every topic.
 */
export function otherPatterns(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 1000; i++) {
    switch (i % 6) {
      case 0:
        out.push(`app${i}.state.changed`);
        break;
      case 1:
        out.push(`settings.app${i}.theme`);
        break;
      case 2:
        out.push(`notify.app${i}.*`);
        break;
      case 3:
        out.push(`workspace${i}.**`);
        break;
      case 4:
        out.push(`app${i}.*.closed`);
        break;
      default:
        out.push(i % 2 === 0 ? `*.metric${i}` : `**.alarm${i}`);
    }
  }
  return out;
}

/** The buses and emitter under test, with their handlers registered. */
function setUp(): {
  ee: EventEmitter;
  exact: EventBus;
  wild: EventBus;
  tenK: EventBus;
  tallies: Record<"ee" | "exact" | "wild" | "tenK" | "others", Tally>;
  windowTopics: string[];
  tenKOne: string;
  tenKTopics: string[];
} {
  const tallies = { ee: new Tally(), exact: new Tally(), wild: new Tally(), tenK: new Tally(), others: new Tally() };
  const ee = new EventEmitter();
  const t0 = tallies.ee;
  ee.on("window.focused", (data: number) => {
    t0.sum += data;
    t0.calls++;
  });
  const exact = createEventBus();
  const t1 = tallies.exact;
  exact.registerEventHandler("window.focused", (e: BusEvent) => {
    t1.sum += e.data as number;
    t1.calls++;
  });
  const wild = createEventBus();
  const t2 = tallies.wild;
  const others = tallies.others;
  for (const p of otherPatterns()) wild.registerEventHandler(p, () => void others.calls++);
  wild.registerEventHandler("window.**", (e: BusEvent) => {
    t2.sum += e.data as number;
    t2.calls++;
  });
  const tenK = createEventBus();
  const t3 = tallies.tenK;
  for (let i = 0; i < TEN_K; i++) {
    tenK.registerEventHandler(`app.t${i}.changed`, (e: BusEvent) => {
      t3.sum += e.data as number;
      t3.calls++;
    });
  }
  const windowTopics = Array.from({ length: ROUND_ROBIN }, (_, i) => `window.w${i}.geometry`);
  // "Emit to one of them": a different one each run, so no topic is favoured.
  const tenKOne = `app.t${Math.floor(Math.random() * TEN_K)}.changed`;
  // Spread over the 10,000 topics, not neighbours.
  const tenKTopics = Array.from({ length: ROUND_ROBIN }, (_, i) => `app.t${(i * 157) % TEN_K}.changed`);
  return { ee, exact, wild, tenK, tallies, windowTopics, tenKOne, tenKTopics };
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
  const s = setUp();
  const { ee, exact, wild, tenK, windowTopics, tenKOne, tenKTopics } = s;
  const mask = ROUND_ROBIN - 1;
  // Short rounds, many of them: bursts of load on the shared VM last a fraction of a second.
  const t = quick ? { warmupMs: 100, measureMs: 400, rounds: 8 } : { warmupMs: 500, measureMs: 4000, rounds: 40 };
  log(`events: in-process throughput, ${t.rounds} interleaved rounds; 10k one topic: ${tenKOne}`);
  const emitted = { ee: 0, exact: 0, wild: 0, wildRr: 0, tenK: 0, tenKRr: 0 };
  const r = measureThroughputInterleaved(
    {
      ee: (n) => {
        for (let i = 0; i < n; i++) ee.emit("window.focused", i);
        emitted.ee += n;
      },
      exact: (n) => {
        for (let i = 0; i < n; i++) exact.emit("window.focused", i);
        emitted.exact += n;
      },
      wild: (n) => {
        for (let i = 0; i < n; i++) wild.emit("window.opened", i);
        emitted.wild += n;
      },
      wildRr: (n) => {
        for (let i = 0; i < n; i++) wild.emit(windowTopics[i & mask], i);
        emitted.wildRr += n;
      },
      tenK: (n) => {
        for (let i = 0; i < n; i++) tenK.emit(tenKOne, i);
        emitted.tenK += n;
      },
      tenKRr: (n) => {
        for (let i = 0; i < n; i++) tenK.emit(tenKTopics[i & mask], i);
        emitted.tenKRr += n;
      },
    },
    t,
  );
  const expected = { ee: emitted.ee, exact: emitted.exact, wild: emitted.wild + emitted.wildRr, tenK: emitted.tenK + emitted.tenKRr };
  for (const k of ["ee", "exact", "wild", "tenK"] as const) {
    if (s.tallies[k].calls !== expected[k]) throw new Error(`${k}: ${expected[k]} emits but ${s.tallies[k].calls} handler calls`);
  }
  if (s.tallies.others.calls !== 0) throw new Error(`the 1,000 other patterns matched ${s.tallies.others.calls} window.* events`);
  log("events: dispatch latency");
  const samples = quick ? 20_000 : 100_000;
  dispatchLatencies(exact, samples / 10);
  const lat = dispatchLatencies(exact, samples);
  log("events: persistent appends, group commit");
  const persist = await persistRate(quick ? 50_000 : 300_000, quick ? 1 : 3, log);
  log("events: dbus-next signals through a private dbus-daemon");
  const dbusSignals = await dbusSignalRate(quick ? 5000 : 30_000, quick ? 1 : 3, log);
  return {
    events_inproc_per_s: r.exact.opsPerSec,
    events_inproc_wildcard_per_s: r.wild.opsPerSec,
    events_inproc_wildcard_rr64_per_s: r.wildRr.opsPerSec,
    events_dispatch_p95_us: lat[Math.min(lat.length - 1, Math.floor(0.95 * lat.length))],
    events_10k_handlers_per_s: r.tenK.opsPerSec,
    events_10k_handlers_rr64_per_s: r.tenKRr.opsPerSec,
    events_persist_per_s: persist,
    baseline_eventemitter_per_s: r.ee.opsPerSec,
    baseline_dbus_next_signals_per_s: dbusSignals,
  };
}

/** The suite as `npm run bench` runs it (registered in test/bench/suites.ts). */
export const eventsSuite: BenchSuite = {
  name: "events",
  run: (ctx: BenchContext) => runEventsBench({ quick: ctx.quick, log: (line) => ctx.log(line) }),
};
