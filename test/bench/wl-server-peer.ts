/**
 * The server process of the wayland suite (wayland.bench.ts): our WaylandServer with the NovaDE
 * globals (addNovaGlobals), on a display socket in a private runtime directory.
 *
 *   node dist/test/bench/wl-server-peer.js <runtime dir> <display name>
 *
 * Prints `ready <pid> <socket path>`, then serves until killed. For `wayland_msgs_per_s` it counts
 * the `wl_surface.damage_buffer` requests of each surface and, on that surface's next
 * `wl_surface.commit` after at least one, prints `msgs <count> <ns>`: the count and the time from
 * the first counted request to the commit, on this process's clock (as rpc-sink-peer.ts times
 * `msgs_uds_per_s_64b`). The counter is installed on a surface's first commit, so a client commits
 * once (and round-trips) before it streams.
 */
import { addNovaGlobals, type Surface } from "../../runtime/wayland/globals/index.js";
import { WaylandServer } from "../../runtime/wayland/server.js";

const counted = new WeakSet<Surface>();
let count = 0;
let first = 0n;

/** On a surface's first commit, adds the counting `damage_buffer` handler; on a later one, reports a run. */
function onCommit(surface: Surface): void {
  if (!counted.has(surface)) {
    counted.add(surface);
    const impl = surface.resource.implementation as Record<string, unknown>;
    impl.damage_buffer = (): void => {
      if (count++ === 0) first = process.hrtime.bigint();
    };
    return;
  }
  if (count === 0) return;
  const elapsed = process.hrtime.bigint() - first;
  process.stdout.write(`msgs ${count} ${elapsed}\n`);
  count = 0;
}

async function main(): Promise<void> {
  const [runtimeDir, display] = process.argv.slice(2);
  if (!runtimeDir || !display) {
    process.stderr.write("usage: wl-server-peer <runtime dir> <display name>\n");
    process.exit(2);
  }
  const server = await WaylandServer.listen({ display, env: { XDG_RUNTIME_DIR: runtimeDir } });
  addNovaGlobals(server, { onCommit });
  process.stdout.write(`ready ${process.pid} ${server.socket!.path}\n`);
  process.on("SIGTERM", () => void server.close().finally(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`wl-server-peer: ${String(error)}\n`);
  process.exit(1);
});
