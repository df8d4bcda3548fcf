/**
 * The D-Bus baseline server: an Echo method served with dbus-next on a
 * private bus (the benchmark starts and stops the dbus-daemon itself).
 *
 *   node dist/test/bench/rpc-dbus-peer.js <bus address>
 *
 * Members are declared with Interface.configureMembers (no decorators).
 * {@link dbusNextEcho} is the matching dbus-next client.
 */
import dbus from "dbus-next";

/** Well-known name, object path and interface of the echo service. */
export const DBUS_ECHO = { name: "org.novade.Bench", path: "/org/novade/Bench", iface: "org.novade.Bench.Echo" } as const;

/**
 * A dbus-next client of the echo service (the baseline's caller, shared by
 * rpc.bench.ts and dbus-rtt-client.ts): `echo(text)` is one Echo call.
 */
export async function dbusNextEcho(busAddress: string): Promise<{ echo(text: string): Promise<string>; close(): void }> {
  const bus = dbus.sessionBus({ busAddress });
  const object = await bus.getProxyObject(DBUS_ECHO.name, DBUS_ECHO.path);
  const iface = object.getInterface(DBUS_ECHO.iface) as unknown as { Echo(text: string): Promise<string> };
  return { echo: (text) => iface.Echo(text), close: () => bus.disconnect() };
}

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
