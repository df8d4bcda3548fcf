/**
 * The emitter of `baseline_dbus_next_signals_per_s`: a dbus-next connection
 * on a private bus that emits `Tick(u seq, ay payload)` signals, as fast as
 * the receiver acknowledges them (events-dbus.ts is the receiver).
 *
 *   node dist/test/bench/events-dbus-peer.js <bus address>
 *
 * Flow control, so the baseline is the best dbus-next does without the
 * daemon buffering without bound: the receiver calls `Run(count, window)`,
 * and the emitter keeps at most `window` signals beyond the last `Ack(n)`
 * (n = signals received so far) in flight. Both calls are NO_REPLY_EXPECTED
 * method calls, so no reply traffic competes with the signals.
 */
import dbus from "dbus-next";

/** Well-known name, object path, interface and members of the emitter. */
export const DBUS_SIGNALS = {
  name: "org.novade.BenchSignals",
  path: "/org/novade/BenchSignals",
  iface: "org.novade.Bench.Signals",
  signal: "Tick",
  /** seq (per run, from 0) and the 64-byte payload. */
  signature: "uay",
} as const;

/** Bytes of each signal's payload (like the xproc figures' 64 B payloads). */
export const DBUS_SIGNAL_PAYLOAD = 64;

async function main(): Promise<void> {
  const busAddress = process.argv[2];
  if (!busAddress) {
    process.stderr.write("usage: events-dbus-peer <bus address>\n");
    process.exit(2);
  }
  const bus = dbus.sessionBus({ busAddress });
  const payload = Buffer.alloc(DBUS_SIGNAL_PAYLOAD, 0x5a);
  let target = 0;
  let sent = 0;
  let acked = 0;
  let window = 1;
  const pump = (): void => {
    while (sent < target && sent - acked < window) {
      bus.send(dbus.Message.newSignal(DBUS_SIGNALS.path, DBUS_SIGNALS.iface, DBUS_SIGNALS.signal, DBUS_SIGNALS.signature, [sent, payload]));
      sent++;
    }
  };
  bus.addMethodHandler((msg: dbus.Message): boolean => {
    if (msg.interface !== DBUS_SIGNALS.iface) return false;
    if (msg.member === "Run") {
      [target, window] = msg.body as [number, number];
      sent = 0;
      acked = 0;
    } else if (msg.member === "Ack") {
      acked = (msg.body as [number])[0];
    } else return false;
    pump();
    return true;
  });
  await bus.requestName(DBUS_SIGNALS.name, 0);
  process.stdout.write(`ready ${process.pid}\n`);
  process.on("SIGTERM", () => {
    bus.disconnect();
    process.exit(0);
  });
}

// Only as a program: the benchmark imports DBUS_SIGNALS from this module.
if (process.argv[1]?.endsWith("events-dbus-peer.js")) {
  main().catch((error: unknown) => {
    process.stderr.write(`events-dbus-peer: ${String(error)}\n`);
    process.exit(1);
  });
}
