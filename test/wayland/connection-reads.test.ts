/**
 * WlConnection's reads, counted at the addon: a `recvmsg` that returns less than the space it was
 * given took everything queued, so the connection makes no second one just to hear EAGAIN (on the
 * development VM such a call costs ~3 µs, a fifth of a local round trip); a burst larger than the
 * read buffer is still read to its end within the same wake-up.
 */
import { afterEach, expect, it } from "vitest";
import { loadNative, type NativeBinding } from "../../native/index.js";
import { WaylandClient } from "../../runtime/wayland/client.js";
import { WlConnection } from "../../runtime/wayland/connection.js";
import { addNovaGlobals, type Surface } from "../../runtime/wayland/globals/index.js";
import { WlCompositor } from "../../runtime/wayland/protocols/wayland.js";
import { WaylandServer } from "../../runtime/wayland/server.js";

const native: NativeBinding = loadNative();
const realRecv = native.recvFdsInto;
const done: (() => void)[] = [];
afterEach(() => {
  native.recvFdsInto = realRecv;
  for (const d of done.splice(0)) d();
});

/** Our client and our server on a socketpair, both in this process. */
async function pairWithCounter(onCommit?: (surface: Surface) => void): Promise<{ client: WaylandClient; calls: () => number; eagain: () => number }> {
  let calls = 0;
  let eagain = 0;
  native.recvFdsInto = (fd, buf, start, end, fdsOut) => {
    const bytes = realRecv.call(native, fd, buf, start, end, fdsOut);
    calls++;
    if (bytes === -11) eagain++;
    return bytes;
  };
  const [a, b] = native.socketPair();
  const server = new WaylandServer();
  addNovaGlobals(server, { onCommit });
  server.addClient(a);
  const client = new WaylandClient(new WlConnection(b, "client"));
  done.push(() => {
    client.close();
    void server.close();
  });
  await client.roundtrip();
  return { client, calls: () => calls, eagain: () => eagain };
}

it("one recvmsg per wake-up for small messages: never a second one that finds nothing", async () => {
  const { client, calls, eagain } = await pairWithCounter();
  const before = calls();
  const TRIPS = 200;
  for (let i = 0; i < TRIPS; i++) await client.roundtrip();
  // Each round trip wakes the server once (the sync) and the client once (done + delete_id).
  expect(calls() - before).toBe(2 * TRIPS);
  expect(eagain()).toBe(0);
});

it("a burst larger than the read buffer (64 KiB) is read to its end and every request dispatched, in order", async () => {
  const xs: number[] = [];
  const { client, calls } = await pairWithCounter((surface) => {
    (surface.resource.implementation as Record<string, unknown>).damage_buffer = (_s: unknown, x: number) => xs.push(x);
  });
  const surface = client.bind(WlCompositor).createSurface();
  surface.commit(); // the server's onCommit installs the counting handler
  await client.roundtrip();
  // 20,000 × 24-byte damage_buffer requests: 480 KB in one flush, so several full reads on the server.
  const COUNT = 20_000;
  const before = calls();
  for (let i = 0; i < COUNT; i++) surface.damageBuffer(i, 0, 1, 1);
  await client.roundtrip(30_000);
  expect(xs).toEqual(Array.from({ length: COUNT }, (_, i) => i));
  expect(calls() - before).toBeGreaterThanOrEqual(Math.ceil((COUNT * 24) / 65536));
  expect(client.connection.closed).toBe(false);
});
