/**
 * Our side of the dbus suite (dbus.bench.ts): the generated demo Calculator
 * skeleton served on a private bus through exportService, and its generated
 * CalculatorEmitter as the source of `dbus_signals_per_s`.
 *
 *   node dist/test/bench/dbus-service-peer.js <bus address>
 *
 * Prints `ready <pid>` once the name is owned; runs until SIGTERM (stopped by PID).
 *
 * Signal flow control is the dbus-next baseline's (events-dbus-peer.ts): the
 * receiver calls `Run(count, window)` and `Ack(n)` (NO_REPLY_EXPECTED) on
 * {@link DBUS_BENCH.control}, and at most `window` `computed` signals beyond
 * the last acknowledgement are in flight. Each signal is
 * `emitComputed({ op: <64-character payload>, result: seq })`.
 */
import { DbusConnection } from "../../runtime/dbus/connection.js";
import { exportService } from "../../runtime/dbus/export.js";
import { MessageFlags } from "../../runtime/dbus/wire/message.js";
import { CalculatorDbus, CalculatorEmitter, registerCalculator } from "../../examples/demo/generated/org.novade.demo.js";
import { createCalculator } from "../../examples/demo/calculator-service.js";

/** The bus name of our service, and the object and interface of its signal flow control. */
export const DBUS_BENCH = {
  name: "org.novade.BenchCalculator",
  control: { path: "/org/novade/BenchControl", iface: "org.novade.Bench.Control" },
} as const;

/** The `op` of every benchmark signal: 64 bytes, like the baseline's `ay` payload. */
export const SIGNAL_OP = "0123456789abcdef".repeat(4);

async function main(): Promise<void> {
  const address = process.argv[2];
  if (!address) {
    process.stderr.write("usage: dbus-service-peer <bus address>\n");
    process.exit(2);
  }
  const conn = await DbusConnection.connect({ address });
  let target = 0;
  let sent = 0;
  let acked = 0;
  let window = 1;
  let emitter: CalculatorEmitter | undefined;
  const pump = (): void => {
    while (sent < target && sent - acked < window) emitter!.emitComputed({ op: SIGNAL_OP, result: sent++ });
  };
  // Registered before the export, so the control calls never reach the Calculator's object.
  conn.onMethodCall((msg) => {
    if (msg.path !== DBUS_BENCH.control.path || (msg.flags & MessageFlags.NO_REPLY_EXPECTED) === 0) return false;
    if (msg.member === "Run") {
      [target, window] = msg.body as [number, number];
      sent = 0;
      acked = 0;
    } else if (msg.member === "Ack") acked = msg.body[0] as number;
    else return false;
    pump();
  });
  const port = await exportService(conn, { interfaces: [CalculatorDbus], name: DBUS_BENCH.name });
  emitter = new CalculatorEmitter(port);
  registerCalculator(port, createCalculator(emitter));
  process.stdout.write(`ready ${process.pid}\n`);
  process.on("SIGTERM", () => {
    void port
      .close()
      .then(() => conn.close())
      .finally(() => process.exit(0));
  });
}

if (process.argv[1]?.endsWith("dbus-service-peer.js")) {
  main().catch((error: unknown) => {
    process.stderr.write(`dbus-service-peer: ${String(error)}\n`);
    process.exit(1);
  });
}
