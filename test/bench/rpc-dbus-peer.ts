/**
 * The D-Bus baseline server: an Echo method served with dbus-next on a
 * private bus (the benchmark starts and stops the dbus-daemon itself).
 *
 *   node dist/test/bench/rpc-dbus-peer.js <bus address>
 *
 * Members are declared with Interface.configureMembers (no decorators).
 */
import dbus from "dbus-next";

/** Well-known name, object path and interface of the echo service. */
export const DBUS_ECHO = { name: "org.novade.Bench", path: "/org/novade/Bench", iface: "org.novade.Bench.Echo" } as const;

class EchoInterface extends dbus.interface.Interface {
  Echo(text: string): string {
    return text;
  }
}
EchoInterface.configureMembers({ methods: { Echo: { inSignature: "s", outSignature: "s" } } });

async function main(): Promise<void> {
  const busAddress = process.argv[2];
  if (!busAddress) {
    process.stderr.write("usage: rpc-dbus-peer <bus address>\n");
    process.exit(2);
  }
  const bus = dbus.sessionBus({ busAddress });
  await bus.requestName(DBUS_ECHO.name, 0);
  bus.export(DBUS_ECHO.path, new EchoInterface(DBUS_ECHO.iface));
  process.stdout.write(`ready ${process.pid}\n`);
  process.on("SIGTERM", () => {
    bus.disconnect();
    process.exit(0);
  });
}

// Only as a program: the benchmark imports DBUS_ECHO from this module.
if (process.argv[1]?.endsWith("rpc-dbus-peer.js")) {
  main().catch((error: unknown) => {
    process.stderr.write(`rpc-dbus-peer: ${String(error)}\n`);
    process.exit(1);
  });
}
