/**
 * A private D-Bus bus for tests and benchmarks: the runtime's own `startPrivateBus`
 * (runtime/dbus/private-bus.ts, the API users get for their tests), under the name the tests have
 * always imported. A missing `dbus-daemon` is a failure naming the Debian package, never a skip.
 *
 * Used by the interop tests (test/dbus/… through connection-bus.ts, test/cli, test/examples) and
 * the dbus-next baselines of the benchmarks (test/bench/rpc-bench-procs.ts `startPrivateBus`).
 */
import { startPrivateBus, type PrivateBus, type PrivateBusOptions } from "../../runtime/dbus/private-bus.js";

/** A running private dbus-daemon (runtime/dbus/private-bus.ts `PrivateBus`). */
export type DbusDaemon = PrivateBus;

/** Options of {@link startDbusDaemon}: those of the runtime's `startPrivateBus`. */
export type DbusDaemonOptions = PrivateBusOptions;

/** Starts a private dbus-daemon on `<temp dir>/bus.sock` (by default); `stop()` stops it by its PID. */
export function startDbusDaemon(options: DbusDaemonOptions = {}): Promise<DbusDaemon> {
  return startPrivateBus(options);
}
