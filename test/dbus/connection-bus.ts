/**
 * The private dbus-daemon of the D-Bus tests, started per test file and stopped by its PID: the
 * runtime's `startPrivateBus` (runtime/dbus/private-bus.ts) with the two options these tests use
 * positionally. A missing dbus-daemon fails naming its Debian package.
 */
import { startPrivateBus as startBus, type PrivateBus } from "../../runtime/dbus/private-bus.js";

export type { PrivateBus };

/**
 * Starts a private session bus, in `reuseDir` when given (a restarted bus at the address of one
 * stopped with `stop({ keepDir: true })`), listening on `listenAt(dir)` (default
 * `unix:path=<dir>/bus.sock`). `address` is what the daemon prints.
 */
export function startPrivateBus(reuseDir?: string, listenAt?: (dir: string) => string): Promise<PrivateBus> {
  return startBus({ dir: reuseDir, listen: listenAt, prefix: "nova-dbus-test-" });
}
