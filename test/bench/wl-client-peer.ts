/**
 * Our client's process in the wayland suite (wayland.bench.ts): the commands of the libwayland
 * baseline (test/bench/c/wl-bench-client.c, which documents them), through WaylandClient and the
 * generated bindings, so that both clients do exactly the same thing to the same server.
 *
 *   node dist/test/bench/wl-client-peer.js <display socket path>
 *
 * `rt <k>`: k `WaylandClient.roundtrip()` calls, each timed with process.hrtime; prints `rt` and
 * the durations in µs. `req <n> <w>`: n `wl_surface.damage_buffer(0, 0, 64, 64)` in windows of
 * w, each followed by a `wl_display.sync`, at most two windows unacknowledged, then
 * `wl_surface.commit` and a round trip; prints `done`. It is a process of its own so that it
 * can be pinned to a CPU.
 */
import { createInterface } from "node:readline";
import { WaylandClient } from "../../runtime/wayland/client.js";
import { WlCompositor, type WlSurface } from "../../runtime/wayland/protocols/wayland.js";

/** Generous: the machine is shared, and a stalled round trip must fail the run, not hang it. */
const TIMEOUT_MS = 60_000;

async function roundtrips(client: WaylandClient, k: number): Promise<string> {
  const us = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const t = process.hrtime.bigint();
    await client.roundtrip(TIMEOUT_MS);
    us[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  return `rt ${Array.from(us, (v) => v.toFixed(2)).join(" ")}`;
}

async function requests(client: WaylandClient, surface: WlSurface, n: number, w: number): Promise<string> {
  const windows: Promise<void>[] = [];
  for (let sent = 0; sent < n; ) {
    const k = Math.min(w, n - sent);
    for (let i = 0; i < k; i++) surface.damageBuffer(0, 0, 64, 64);
    sent += k;
    windows.push(client.roundtrip(TIMEOUT_MS));
    if (windows.length >= 2) await windows.shift();
  }
  surface.commit();
  await Promise.all([...windows, client.roundtrip(TIMEOUT_MS)]);
  return "done";
}

async function main(): Promise<void> {
  const [display] = process.argv.slice(2);
  if (!display) throw new Error("usage: wl-client-peer <display socket path>");
  const client = await WaylandClient.connect({ display, env: {}, timeoutMs: TIMEOUT_MS });
  const surface = client.bind(WlCompositor, 5).createSurface();
  surface.commit();
  await client.roundtrip(TIMEOUT_MS);
  process.stdout.write(`ready ${process.pid}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, a, b] = line.split(" ");
    let out: string;
    if (cmd === "rt") out = await roundtrips(client, Number(a));
    else if (cmd === "req") out = await requests(client, surface, Number(a), Number(b));
    else throw new Error(`bad command: ${line}`);
    process.stdout.write(`${out}\n`);
  }
  client.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`wl-client-peer: ${String(error)}\n`);
    process.exit(1);
  },
);
