/**
 * RPC and transport benchmarks (issue 5), each beside its baseline in the
 * same run. The client is this process; every server is a separate process
 * started here and stopped by PID.
 *
 * - rpc_uds_rtt_p50/p95/p99_us: sequential calls with a 64-byte string
 *   argument through the generated client `CalculatorClient.echo`
 *   (examples/demo), served by the generated skeleton in another process.
 * - rpc_pipe_rtt_p95_us: the same over the pipe transport.
 * - rpc_uds_calls_per_s_inflight64: 64 calls kept in flight.
 * - msgs_uds_per_s_64b: fire-and-forget Events with a 64-byte (string) payload, full
 *   NOVA framing (header, CRC, body), counted and timed by the receiver; steady
 *   state (warm-up until the rate stops rising), median of three runs, like its baseline.
 * - conn_1000_ok: 1 when 1,000 concurrent clients each completed a call.
 * - baseline_raw_uds_rtt_p50_us / _p95_us / baseline_raw_uds_msgs_per_s_64b: the
 *   same socket I/O as our transport (./raw-io.ts: reads through `onread` into a
 *   reused buffer, direct writes from the addon), a 4-byte length prefix, no
 *   NOVA framing, codec or RPC: the ratios measure only what those layers add.
 * - baseline_dbus_next_rtt_p95_us_rpcrun: dbus-next Echo through a private
 *   dbus-daemon, in the same interleaved rounds as the RPC series (issue 5's
 *   "4× faster than dbus-next" compares under the same load). The name
 *   `baseline_dbus_next_rtt_p95_us` belongs to the dbus suite (dbus.bench.ts),
 *   which measures it beside our own D-Bus round trips.
 *
 * The four round-trip series (raw, RPC/unix, RPC/pipe, dbus-next) run in a
 * hundred interleaved rounds (each a few tens of milliseconds long) against
 * servers that are all up at once, so that load from other work on the
 * machine, which comes in bursts of a fraction of a second, hits each series
 * alike and their ratios hold.
 */
import type { Socket } from "node:net";
import { join } from "node:path";
import { connectRpc } from "../../runtime/rpc/connect.js";
import type { RpcClient } from "../../runtime/rpc/rpc-client.js";
import { createChannel } from "../../runtime/transport/create-channel.js";
import type { ChannelOptions, TransportType } from "../../runtime/transport/types.js";
import type { EventMessage, Message } from "../../runtime/wire/message.js";
import { benchDir, startPeer, startPrivateBus } from "./rpc-bench-procs.js";
import { dbusNextEcho } from "./rpc-dbus-peer.js";
import { connectRecords, writeRecords } from "./raw-io.js";
import type { BenchSuite } from "./harness.js";
import { CalculatorClient } from "../../examples/demo/generated/org.novade.demo.js";

/** Options of {@link runRpcBench}. */
export interface RpcBenchOptions {
  quick?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** The 64-byte string argument of every round trip (and the one-way payload). */
export const ARG_64 = "0123456789abcdef".repeat(4);
const ECHO = "nova.bench.Echo";
/** Interleaved rounds of the round-trip series (see the file comment). */
const ROUNDS = 100;

/** The q-quantile of a sorted array. */
export function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Sorted latencies (µs) of interleaved rounds of several round-trip functions (fair on a noisy machine). */
export async function interleaved(parts: Array<{ n: number; once: () => Promise<unknown> }>, rounds: number): Promise<Float64Array[]> {
  const out = parts.map((p) => ({ lat: new Float64Array(p.n), filled: 0 }));
  for (const p of parts) for (let i = 0; i < Math.min(5000, p.n / 5); i++) await p.once();
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < parts.length; k++) {
      const { n, once } = parts[k];
      const slot = out[k];
      const end = r === rounds - 1 ? n : Math.floor(((r + 1) * n) / rounds);
      while (slot.filled < end) {
        const t = process.hrtime.bigint();
        await once();
        slot.lat[slot.filled++] = Number(process.hrtime.bigint() - t) / 1000;
      }
    }
  }
  return out.map((o) => o.lat.sort());
}

/**
 * Round trips of the raw baseline, RPC over unix and RPC over pipe, measured in
 * interleaved rounds so that all three see the same machine load. RPC goes
 * through the generated CalculatorClient; each server is its own process.
 */
async function roundTrips(
  dir: string,
  n: number,
  nDbus: number,
): Promise<{ raw: Float64Array; uds: Float64Array; pipe: Float64Array; dbus: Float64Array }> {
  const rawPath = join(dir, "raw-echo.sock");
  const bus = await startPrivateBus();
  const peers = await Promise.all([
    startPeer("./rpc-raw-peer.js", ["echo", rawPath]),
    startPeer("./rpc-peer.js", ["unix", join(dir, "rtt.unix")]),
    startPeer("./rpc-peer.js", ["pipe", join(dir, "rtt.pipe")]),
    startPeer("./rpc-dbus-peer.js", [bus.address]),
  ]);
  try {
    const dbusEcho = await dbusNextEcho(bus.address);
    const raw = await rawClient(rawPath);
    const record = Buffer.alloc(4 + 64, 1);
    record.writeUInt32LE(64, 0);
    const udsClient = await connectRpc(join(dir, "rtt.unix"), { transport: "unix" });
    const pipeClient = await connectRpc(join(dir, "rtt.pipe"), { transport: "pipe" });
    const uds = new CalculatorClient(udsClient);
    const pipe = new CalculatorClient(pipeClient);
    const [rawLat, udsLat, pipeLat, dbusLat] = await interleaved(
      [
        { n, once: () => raw.roundTrip(record) },
        { n, once: () => uds.echo(ARG_64) },
        { n: Math.ceil(n / 2), once: () => pipe.echo(ARG_64) },
        { n: nDbus, once: () => dbusEcho.echo(ARG_64) },
      ],
      ROUNDS,
    );
    raw.socket.destroy();
    dbusEcho.close();
    await udsClient.close(false);
    await pipeClient.close(false);
    return { raw: rawLat, uds: udsLat, pipe: pipeLat, dbus: dbusLat };
  } finally {
    await Promise.all(peers.map((p) => p.stop()));
    await bus.stop();
  }
}

async function callsInflight(dir: string, total: number, inflight: number): Promise<number> {
  const endpoint = join(dir, "inflight.sock");
  const peer = await startPeer("./rpc-peer.js", ["unix", endpoint]);
  try {
    const client = await connectRpc(endpoint, { transport: "unix", bufferSize: 1_048_576 });
    const stub = new CalculatorClient(client);
    const run = async (count: number): Promise<number> => {
      let started = 0;
      const t = process.hrtime.bigint();
      const worker = async (): Promise<void> => {
        while (started < count) {
          started++;
          await stub.echo(ARG_64);
        }
      };
      await Promise.all(Array.from({ length: inflight }, worker));
      return count / (Number(process.hrtime.bigint() - t) / 1e9);
    };
    await run(Math.min(10_000, total / 5));
    const rate = await run(total);
    await client.close(false);
    return rate;
  } finally {
    await peer.stop();
  }
}

function event(id: bigint, eventType: string, data: unknown): EventMessage {
  return { type: "event", messageId: id, correlationId: 0n, timestampNs: 0n, body: { eventType, data, sourceId: 0n, priority: 0 } };
}

/**
 * The steady-state rate of a one-way stream: warm-up runs until the JIT and
 * the heap have settled in both processes (the rate stops rising: about a
 * million messages here), then the median of three measured runs of `count`.
 */
async function steadyRate(once: (n: number) => Promise<number>, count: number, log: (line: string) => void): Promise<number> {
  const warm = Math.min(count, 300_000);
  let previous = 0;
  for (let i = 0; i < 8; i++) {
    const rate = await once(warm);
    if (i >= 2 && rate < previous * 1.05) break;
    previous = Math.max(previous, rate);
  }
  const rates: number[] = [];
  for (let i = 0; i < 3; i++) rates.push(await once(count));
  rates.sort((a, b) => a - b);
  log(`  runs: ${rates.map((r) => Math.round(r).toLocaleString("en-US")).join(", ")} msgs/s`);
  return rates[1];
}

/**
 * msgs_<transport>_per_s_64b: fire-and-forget Events with a 64-byte payload to
 * rpc-sink-peer.ts over `transport`, counted and timed by the receiver; the
 * steady-state median of three runs (`steadyRate`). `options` go to both
 * ends' channels (the shm suite passes its transport's options here).
 */
export async function novaMessagesPerSecond(
  dir: string,
  count: number,
  log: (line: string) => void,
  transport: TransportType = "unix",
  options: ChannelOptions = {},
): Promise<number> {
  const endpoint = join(dir, `sink-${transport}.sock`);
  const peer = await startPeer("./rpc-sink-peer.js", [transport, endpoint, JSON.stringify(options)]);
  try {
    const channel = await createChannel(endpoint, transport, 1_048_576, options);
    let reply!: (m: Message) => void;
    channel.setHandler({ onMessage: (m) => reply(m) });
    const payload = ARG_64; // 64 bytes of ASCII, the same payload as the round-trip calls
    const once = async (n: number): Promise<number> => {
      const answer = new Promise<Message>((resolve) => (reply = resolve));
      for (let i = 1; i <= n; ) {
        while (i <= n && channel.trySend(event(BigInt(i), "bench.data", payload))) i++;
        if (i <= n) await channel.writable();
      }
      await channel.send(event(0n, "bench.end", null));
      const m = await answer;
      const [received, elapsedNs] = (m.type === "event" ? m.body.data : [0, 1]) as [number, number];
      if (received !== n) throw new Error(`sink received ${received} of ${n} messages`);
      return received / (elapsedNs / 1e9);
    };
    const rate = await steadyRate(once, count, log);
    await channel.close(false);
    return rate;
  } finally {
    await peer.stop();
  }
}

/** The raw baseline's client end (./raw-io.ts): one record out, the next whole record back. */
interface RawClient {
  readonly socket: Socket;
  /** Sends `record` (a length-prefixed record) and resolves when a whole record comes back. */
  roundTrip(record: Uint8Array): Promise<void>;
  /** Like roundTrip, resolving with a copy of the reply's body. */
  ask(record: Uint8Array): Promise<Buffer>;
}

async function rawClient(path: string): Promise<RawClient> {
  let waiter: ((bytes: Uint8Array, start: number, end: number) => void) | undefined;
  const socket = await connectRecords(path, (bytes, start, end) => {
    for (let p = start; p < end; ) {
      const next = p + 4 + ((bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24)) >>> 0);
      const w = waiter;
      waiter = undefined;
      w?.(bytes, p, next);
      p = next;
    }
  });
  return {
    socket,
    roundTrip: (record) =>
      new Promise<void>((resolve) => {
        waiter = () => resolve();
        writeRecords(socket, record, 0, record.length);
      }),
    ask: (record) =>
      new Promise<Buffer>((resolve) => {
        waiter = (bytes, start, end) => resolve(Buffer.from(bytes.subarray(start + 4, end)));
        writeRecords(socket, record, 0, record.length);
      }),
  };
}

async function rawMessagesPerSecond(dir: string, count: number, log: (line: string) => void): Promise<number> {
  const path = join(dir, "raw-sink.sock");
  const peer = await startPeer("./rpc-raw-peer.js", ["sink", path]);
  try {
    const client = await rawClient(path);
    const { socket } = client;
    const perChunk = 1024;
    const chunk = Buffer.alloc(perChunk * 68, 7);
    for (let i = 0; i < perChunk; i++) chunk.writeUInt32LE(64, i * 68);
    const end = Buffer.alloc(4);
    const once = async (n: number): Promise<number> => {
      for (let sent = 0; sent < n; sent += perChunk) {
        const part = n - sent >= perChunk ? chunk : chunk.subarray(0, (n - sent) * 68);
        if (!writeRecords(socket, part, 0, part.length)) await new Promise((resolve) => socket.once("drain", resolve));
      }
      const answer = await client.ask(end);
      const received = answer.readDoubleLE(0);
      if (received !== n) throw new Error(`raw sink received ${received} of ${n} records`);
      return received / (answer.readDoubleLE(8) / 1e9);
    };
    const rate = await steadyRate(once, count, log);
    socket.destroy();
    return rate;
  } finally {
    await peer.stop();
  }
}

async function thousandConnections(dir: string): Promise<number> {
  const endpoint = join(dir, "conn.sock");
  const peer = await startPeer("./rpc-peer.js", ["unix", endpoint]);
  const clients: RpcClient[] = [];
  try {
    for (let i = 0; i < 1000; i += 100) {
      clients.push(...(await Promise.all(Array.from({ length: 100 }, () => connectRpc(endpoint, { timeoutMs: 20_000 })))));
    }
    const answers = await Promise.all(clients.map((c, i) => c.call(ECHO, "echo", [i])));
    return clients.length === 1000 && answers.every((a, i) => a === i) && clients.every((c) => !c.channel.closed) ? 1 : 0;
  } catch {
    return 0;
  } finally {
    await Promise.all(clients.map((c) => c.close(false).catch(() => undefined)));
    await peer.stop();
  }
}

/** Runs every RPC benchmark and returns the metrics by name. */
export async function runRpcBench(options: RpcBenchOptions = {}): Promise<Record<string, number>> {
  const quick = options.quick ?? false;
  const log = options.log ?? (() => undefined);
  const { dir, remove } = benchDir();
  const metrics: Record<string, number> = {};
  try {
    const rttCalls = quick ? 10_000 : 50_000;
    const dbusCalls = quick ? 3000 : 10_000;
    log(`rpc: round trips in interleaved rounds: raw socket ${rttCalls}, RPC/unix ${rttCalls}, RPC/pipe ${rttCalls / 2}, dbus-next ${dbusCalls}`);
    const rtt = await roundTrips(dir, rttCalls, dbusCalls);
    metrics.baseline_raw_uds_rtt_p50_us = quantile(rtt.raw, 0.5);
    metrics.baseline_raw_uds_rtt_p95_us = quantile(rtt.raw, 0.95);
    metrics.rpc_uds_rtt_p50_us = quantile(rtt.uds, 0.5);
    metrics.rpc_uds_rtt_p95_us = quantile(rtt.uds, 0.95);
    metrics.rpc_uds_rtt_p99_us = quantile(rtt.uds, 0.99);
    metrics.rpc_pipe_rtt_p95_us = quantile(rtt.pipe, 0.95);
    metrics.baseline_dbus_next_rtt_p95_us_rpcrun = quantile(rtt.dbus, 0.95);
    log("rpc: 64 calls in flight");
    metrics.rpc_uds_calls_per_s_inflight64 = await callsInflight(dir, quick ? 50_000 : 200_000, 64);
    log("rpc: one-way NOVA messages, 64 B");
    metrics.msgs_uds_per_s_64b = await novaMessagesPerSecond(dir, quick ? 300_000 : 1_000_000, log);
    log("rpc: raw batched writes, 64 B");
    metrics.baseline_raw_uds_msgs_per_s_64b = await rawMessagesPerSecond(dir, quick ? 1_000_000 : 3_000_000, log);
    log("rpc: 1,000 concurrent connections");
    metrics.conn_1000_ok = await thousandConnections(dir);
  } finally {
    remove();
  }
  return metrics;
}

/** The suite as `npm run bench` runs it (registered in test/bench/suites.ts). */
export const rpcSuite: BenchSuite = {
  name: "rpc",
  run: (ctx) => runRpcBench({ quick: ctx.quick, log: (line) => ctx.log(line) }),
};

/** Lets `node dist/test/bench/rpc.bench.js [--quick]` run this suite alone. */
async function standalone(): Promise<void> {
  const metrics = await runRpcBench({ quick: process.argv.includes("--quick"), log: (l) => process.stderr.write(l + "\n") });
  for (const [name, value] of Object.entries(metrics)) process.stdout.write(`${name.padEnd(36)} ${Number(value.toFixed(2))}\n`);
}

if (process.argv[1]?.endsWith("rpc.bench.js")) {
  standalone().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`rpc bench failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
