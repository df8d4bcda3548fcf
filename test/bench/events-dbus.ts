/**
 * `baseline_dbus_next_signals_per_s`: dbus-next signals from one emitter
 * process (events-dbus-peer.ts) through a private dbus-daemon to one
 * receiving connection in this process, counted where they are received.
 *
 * The receiver uses dbus-next's lowest-level API (one AddMatch rule and the
 * bus's `message` event, no proxy objects), and the emitter sends with
 * `bus.send` as fast as the receiver acknowledges, `WINDOW` signals in
 * flight: the best dbus-next does, without letting the daemon queue grow
 * (dbus-daemon disconnects a client whose queue passes its limits).
 */
import dbus from "dbus-next";
import { startPeer, startPrivateBus } from "./rpc-bench-procs.js";
import { DBUS_SIGNAL_PAYLOAD, DBUS_SIGNALS } from "./events-dbus-peer.js";

/** Signals in flight beyond the last acknowledgement (the dbus suite's own signals use the same). */
export const WINDOW = 1024;
/** The receiver acknowledges every this many signals. */
export const ACK_EVERY = 128;

/** The emitter (runs from dist/, also under vitest: rpc-bench-procs.ts `startPeer` finds it there). */
const PEER = "./events-dbus-peer.js";

function method(member: string, signature: string, body: unknown[]): dbus.Message {
  return new dbus.Message({
    destination: DBUS_SIGNALS.name,
    path: DBUS_SIGNALS.path,
    interface: DBUS_SIGNALS.iface,
    member,
    signature,
    body,
    flags: dbus.MessageFlag.NO_REPLY_EXPECTED,
  });
}

/**
 * Receives `count` signals, checking that each arrives once, in order, with
 * its 64-byte payload; resolves with signals/s from the `Run` call to the
 * last signal.
 */
function receive(conn: dbus.MessageBus, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let next = 0;
    const t = process.hrtime.bigint();
    const onMessage = (msg: dbus.Message): void => {
      if (msg.type !== dbus.MessageType.SIGNAL || msg.member !== DBUS_SIGNALS.signal) return;
      const [seq, payload] = msg.body as [number, Buffer];
      if (seq !== next || payload.length !== DBUS_SIGNAL_PAYLOAD) {
        conn.off("message", onMessage);
        reject(new Error(`dbus-next signal ${seq} (${payload.length} B) arrived, expected ${next} (${DBUS_SIGNAL_PAYLOAD} B)`));
        return;
      }
      next++;
      if (next === count) {
        const seconds = Number(process.hrtime.bigint() - t) / 1e9;
        conn.off("message", onMessage);
        resolve(count / seconds);
      } else if (next % ACK_EVERY === 0) conn.send(method("Ack", "u", [next]));
    };
    conn.on("message", onMessage);
    conn.send(method("Run", "uu", [count, WINDOW]));
  });
}

/** A warmed-up dbus-next signal measurement: a private dbus-daemon, the emitter process and the receiving connection. */
export interface DbusSignals {
  /** Signals per second for one run of `count` signals (each checked to arrive once and in order). */
  rate(count: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * Starts the emitter (pinned to `cpu` if given) on the bus at `address`, or
 * on a private dbus-daemon of its own without one, subscribes, and warms up
 * with 10,000 signals.
 */
export async function openDbusSignals(options: { address?: string; cpu?: number } = {}): Promise<DbusSignals> {
  const bus = options.address === undefined ? await startPrivateBus() : { address: options.address, stop: async () => undefined };
  let peer: Awaited<ReturnType<typeof startPeer>> | undefined;
  let conn: ReturnType<typeof dbus.sessionBus> | undefined;
  try {
    peer = await startPeer(PEER, [bus.address], options.cpu);
    conn = dbus.sessionBus({ busAddress: bus.address });
    await conn.call(
      new dbus.Message({
        destination: "org.freedesktop.DBus",
        path: "/org/freedesktop/DBus",
        interface: "org.freedesktop.DBus",
        member: "AddMatch",
        signature: "s",
        body: [`type='signal',interface='${DBUS_SIGNALS.iface}',member='${DBUS_SIGNALS.signal}'`],
      }),
    );
    await receive(conn, 10_000);
  } catch (error) {
    conn?.disconnect();
    await peer?.stop();
    await bus.stop();
    throw error;
  }
  const c = conn;
  const p = peer;
  return {
    rate: (count) => receive(c, count),
    async close() {
      c.disconnect();
      await p.stop();
      await bus.stop();
    },
  };
}

/** The median of `runs` runs of `count` signals (see {@link openDbusSignals}). */
export async function dbusSignalRate(count: number, runs: number, log: (line: string) => void): Promise<number> {
  const signals = await openDbusSignals();
  try {
    const rates: number[] = [];
    for (let r = 0; r < runs; r++) rates.push(await signals.rate(count));
    rates.sort((a, b) => a - b);
    log(`  dbus-next signals: ${runs} × ${count} received in order, ${rates.map((x) => Math.round(x)).join(", ")} /s`);
    return rates[Math.floor(rates.length / 2)]!;
  } finally {
    await signals.close();
  }
}
