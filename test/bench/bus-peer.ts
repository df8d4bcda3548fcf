/**
 * The processes of the cross-process event benchmarks (bus.bench.ts):
 *
 *   node dist/test/bench/bus-peer.js daemon <socket>
 *       a `nova bus` daemon with bounds large enough that a burst is queued, not dropped;
 *   node dist/test/bench/bus-peer.js sub <socket> <topic>
 *       subscribes to <topic>; on each `bench.end` event prints `done <count> <epoch ns of the last event>`;
 *   node dist/test/bench/bus-peer.js pub <socket> <topic> <count> <payload bytes>
 *       waits for `go` lines on stdin; for each, publishes <count> events with a
 *       <payload bytes> string value as fast as the socket takes them, then `bench.end`,
 *       and prints `sent <epoch ns of the first publish>`.
 *
 * Every process prints `ready <pid>` once it is set up. Times are wall-clock
 * nanoseconds since the epoch (`nowNs`), so the coordinator can compare them
 * across processes (the error is far below a run's length).
 */
import { createInterface } from "node:readline";
import { BusDaemon } from "../../runtime/bus/daemon.js";
import { connectBus } from "../../runtime/bus/client.js";
import { nowNs } from "../../runtime/wire/message-id.js";

const [mode, socket, ...rest] = process.argv.slice(2);
// A profiled run (--cpu-prof) writes its profile on a normal exit only.
process.on("SIGINT", () => process.exit(0));

async function daemon(): Promise<void> {
  const d = await BusDaemon.start({ socket, maxPendingFrames: 50_000_000, maxPendingBytes: 4 * 1024 * 1024 * 1024 });
  process.on("SIGTERM", () => void d.close().then(() => process.exit(0)));
  if (process.env.NOVA_BUS_DEBUG) setInterval(() => process.stderr.write(`conns ${[...d.conns.values()].map((c) => c.overflowed).join(",")}\n`), 1000).unref();
  process.stdout.write(`ready ${process.pid}\n`);
}

async function sub(): Promise<void> {
  const [topic] = rest;
  const bus = await connectBus(socket!);
  let count = 0;
  let sum = 0;
  await bus.registerEventHandler(topic!, (e) => {
    count++;
    sum += (e.data as string).length;
  });
  await bus.registerEventHandler("bench.end", () => {
    process.stdout.write(`done ${count} ${nowNs()} ${sum}\n`);
    count = 0;
    sum = 0;
  });
  process.stdout.write(`ready ${process.pid}\n`);
}

async function pub(): Promise<void> {
  const [topic, countText, sizeText] = rest;
  const count = Number(countText);
  const payload = "x".repeat(Number(sizeText));
  const bus = await connectBus(socket!);
  process.stdout.write(`ready ${process.pid}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() !== "go") continue;
    const started = nowNs();
    for (let i = 0; i < count; ) {
      if (bus.tryPublish(topic!, payload)) i++;
      else await bus.writable();
    }
    // Acknowledged: everything before it has been read and routed by the daemon.
    await bus.emit("bench.end", null);
    process.stdout.write(`sent ${started}\n`);
  }
}

const modes: Record<string, () => Promise<void>> = { daemon, sub, pub };
const run = mode === undefined ? undefined : modes[mode];
if (run === undefined) {
  process.stderr.write("usage: bus-peer.js daemon|sub|pub <socket> ...\n");
  process.exit(2);
}
await run();
