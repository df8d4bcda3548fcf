/**
 * A measurement, not a test: call RTT and signal throughput of our
 * DbusConnection vs dbus-next on the same private dbus-daemon, each service
 * in its own process. Build and run:
 *
 *   npx tsc --ignoreConfig test/dbus/connection-measure.ts --outDir test/.tmp-measure --module nodenext \
 *     --moduleResolution nodenext --target es2022 --types node --skipLibCheck --rootDir .
 *   echo '{"type":"module"}' > test/.tmp-measure/package.json && node test/.tmp-measure/test/dbus/connection-measure.js
 *
 * Signals: Tick(u seq, ay 64 B), at most WINDOW beyond the receiver's last
 * Ack (a NoReply call every ACK_EVERY signals), like test/bench/events-dbus.ts.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import dbus from "dbus-next";
import { DbusConnection } from "../../runtime/dbus/connection.js";
import type { DbusMessage } from "../../runtime/dbus/wire/index.js";
import { startPrivateBus } from "./connection-bus.js";

const NAME = { ours: "org.novade.MeasureOurs", next: "org.novade.MeasureNext" } as const;
const PATH = "/org/novade/Measure";
const IFACE = "org.novade.Measure";
const WINDOW = 1024;
const ACK_EVERY = 128;
const PAYLOAD = new Uint8Array(64).fill(7);

async function serveOurs(address: string): Promise<void> {
  const conn = await DbusConnection.connect({ address });
  await conn.requestName(NAME.ours);
  let acked = 0;
  let wake: (() => void) | undefined;
  conn.onMethodCall((msg, reply) => {
    if (msg.member === "Echo") reply.reply("s", msg.body);
    else if (msg.member === "Ack") {
      acked = msg.body[0] as number;
      wake?.();
    } else if (msg.member === "Run") {
      const count = msg.body[0] as number;
      acked = 0;
      void (async () => {
        for (let seq = 0; seq < count; ) {
          while (seq < count && seq - acked < WINDOW) conn.emitSignal(PATH, IFACE, "Tick", "uay", [seq++, PAYLOAD]);
          if (seq < count) await new Promise<void>((r) => (wake = r));
        }
      })();
    } else return false;
  });
  process.stdout.write("ready\n");
}

async function serveNext(address: string): Promise<void> {
  const bus = dbus.sessionBus({ busAddress: address });
  await bus.requestName(NAME.next, 0);
  let acked = 0;
  let wake: (() => void) | undefined;
  bus.addMethodHandler((msg: dbus.Message) => {
    if (msg.member === "Echo") bus.send(dbus.Message.newMethodReturn(msg, "s", msg.body));
    else if (msg.member === "Ack") {
      acked = msg.body[0] as number;
      wake?.();
    } else if (msg.member === "Run") {
      const count = msg.body[0] as number;
      acked = 0;
      void (async () => {
        for (let seq = 0; seq < count; ) {
          while (seq < count && seq - acked < WINDOW) bus.send(dbus.Message.newSignal(PATH, IFACE, "Tick", "uay", [seq++, Buffer.from(PAYLOAD)]));
          if (seq < count) await new Promise<void>((r) => (wake = r));
        }
      })();
    } else return false;
    return true;
  });
  process.stdout.write("ready\n");
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function rtt(call: () => Promise<unknown>, n: number): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 2000; i++) await call();
  const us: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await call();
    us.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  us.sort((a, b) => a - b);
  return { p50: percentile(us, 50), p95: percentile(us, 95) };
}

async function main(): Promise<void> {
  const [role, address] = process.argv.slice(2);
  if (role === "serve-ours") return serveOurs(address!);
  if (role === "serve-next") return serveNext(address!);
  const bus = await startPrivateBus();
  const self = fileURLToPath(import.meta.url);
  const peers = ["serve-ours", "serve-next"].map((r) => spawn(process.execPath, [self, r, bus.address], { stdio: ["ignore", "pipe", "inherit"] }));
  await Promise.all(peers.map((p) => new Promise((r) => p.stdout!.once("data", r))));
  const N = Number(process.env.N ?? 20000);
  const SIGNALS = Number(process.env.SIGNALS ?? 200000);
  const results: Record<string, unknown> = {};
  try {
    const ours = await DbusConnection.connect({ address: bus.address });
    const next = dbus.sessionBus({ busAddress: bus.address });
    const callNext = (dest: string): Promise<unknown> => next.call(new dbus.Message({ destination: dest, path: PATH, interface: IFACE, member: "Echo", signature: "s", body: ["hello"] }));
    const callOurs = (dest: string): Promise<unknown> => ours.call({ destination: dest, path: PATH, interface: IFACE, member: "Echo", signature: "s", body: ["hello"] });
    if (process.env.ONLY !== "signals") {
      results.rtt_ours_to_ours = await rtt(() => callOurs(NAME.ours), N);
      results.rtt_next_to_next = await rtt(() => callNext(NAME.next), N);
      results.rtt_ours_to_next = await rtt(() => callOurs(NAME.next), N);
      results.rtt_next_to_ours = await rtt(() => callNext(NAME.ours), N);
    }

    // Signals into our receiver from our emitter.
    const oursRate = await new Promise<number>((resolve) => {
      let seen = 0;
      let started = 0n;
      void ours.addMatch({ type: "signal", interface: IFACE, member: "Tick", sender: NAME.ours }, (m: DbusMessage) => {
        if ((m.body[0] as number) !== seen) throw new Error(`out of order: ${String(m.body[0])} != ${seen}`);
        seen++;
        if (seen % ACK_EVERY === 0) void ours.call({ destination: NAME.ours, path: PATH, interface: IFACE, member: "Ack", signature: "u", body: [seen] }, { noReply: true });
        if (seen === SIGNALS) resolve(SIGNALS / (Number(process.hrtime.bigint() - started) / 1e9));
      }).then(() => {
        started = process.hrtime.bigint();
        void ours.call({ destination: NAME.ours, path: PATH, interface: IFACE, member: "Run", signature: "u", body: [SIGNALS] }, { noReply: true });
      });
    });
    results.signals_per_s_ours = Math.round(oursRate);

    const nextRate = await new Promise<number>((resolve) => {
      let seen = 0;
      let started = 0n;
      const ackMsg = (n: number): dbus.Message => new dbus.Message({ destination: NAME.next, path: PATH, interface: IFACE, member: "Ack", signature: "u", body: [n], flags: dbus.MessageFlag.NO_REPLY_EXPECTED });
      next.on("message", (m: dbus.Message) => {
        if (m.type !== dbus.MessageType.SIGNAL || m.member !== "Tick") return;
        seen++;
        if (seen % ACK_EVERY === 0) next.send(ackMsg(seen));
        if (seen === SIGNALS) resolve(SIGNALS / (Number(process.hrtime.bigint() - started) / 1e9));
      });
      void next
        .call(new dbus.Message({ destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus", member: "AddMatch", signature: "s", body: [`type='signal',interface='${IFACE}',member='Tick'`] }))
        .then(() => {
          started = process.hrtime.bigint();
          next.send(new dbus.Message({ destination: NAME.next, path: PATH, interface: IFACE, member: "Run", signature: "u", body: [SIGNALS], flags: dbus.MessageFlag.NO_REPLY_EXPECTED }));
        });
    });
    results.signals_per_s_next = Math.round(nextRate);
    console.log(JSON.stringify(results, null, 1));
    await ours.close();
    next.disconnect();
  } finally {
    for (const p of peers) p.kill("SIGTERM");
    await bus.stop();
  }
}

void main();
