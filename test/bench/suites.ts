/**
 * Every benchmark suite `npm run bench` runs, in order. To add one, write
 * test/bench/<name>-suite.ts exporting a {@link BenchSuite} and list it here.
 */
import { codecSuite } from "./codec-suite.js";
import { busSuite } from "./bus.bench.js";
import { dbusSuite } from "./dbus.bench.js";
import { eventsSuite } from "./events.bench.js";
import type { BenchSuite } from "./harness.js";
import { rpcSuite } from "./rpc.bench.js";
import { shmSuite } from "./shm.bench.js";
import { waylandSuite } from "./wayland.bench.js";

/** The suites, in the order they run. */
export const suites: BenchSuite[] = [codecSuite, rpcSuite, shmSuite, eventsSuite, busSuite, dbusSuite, waylandSuite];
