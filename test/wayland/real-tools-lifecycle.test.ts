/**
 * Object lifecycle and protocol errors between our client and our server (over a socketpair
 * handed to the client as WAYLAND_SOCKET, or the display socket): delete_id after the server
 * destroys a callback lets the client reuse the id; each refused request is a protocol error
 * with the protocol's own code, ends that client only, and reaches it as a ProtocolError.
 */
import { closeSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { nativeShm } from "../../native/index.js";
import { nextEvent, WaylandClient } from "../../runtime/wayland/client.js";
import { addNovaGlobals, shmBufferOf, type NovaGlobals } from "../../runtime/wayland/globals/index.js";
import { NovaLayerSurfaceV1, NovaLayerSurfaceV1Error, NovaShellV1, NovaShellV1Layer } from "../../runtime/wayland/protocols/nova_shell_v1.js";
import { WlCompositor, WlSeat, WlSeatError, WlShm, WlShmError, WlShmFormat } from "../../runtime/wayland/protocols/wayland.js";
import { WaylandServer } from "../../runtime/wayland/server.js";

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A server without a socket and a client connected to it through WAYLAND_SOCKET (a socketpair). */
async function pair(): Promise<{ server: WaylandServer; globals: NovaGlobals; client: WaylandClient }> {
  const server = new WaylandServer();
  const globals = addNovaGlobals(server);
  const [ours, theirs] = nativeShm().socketPair();
  server.addClient(ours);
  const env: NodeJS.ProcessEnv = { WAYLAND_SOCKET: String(theirs) };
  const client = await WaylandClient.connect({ env });
  expect(env.WAYLAND_SOCKET).toBeUndefined();
  cleanups.push(() => server.close(), () => client.close());
  return { server, globals, client };
}

/** The layer surface of a fresh surface, anchored left|right|top with height 30, configured and acknowledged. */
async function configuredLayer(client: WaylandClient): Promise<{ layer: NovaLayerSurfaceV1; serial: number }> {
  const surface = client.bind(WlCompositor).createSurface();
  const layer = client.bind(NovaShellV1).getLayerSurface(surface, null, NovaShellV1Layer.overlay, "osd");
  layer.setAnchor(1 | 4 | 8);
  layer.setSize(0, 30);
  const configure = nextEvent<[number]>(layer, "configure");
  surface.commit();
  return { layer, serial: (await configure)[0] };
}

describe("object lifecycle", () => {
  it("the server deletes each sync callback's id, so the client reuses it (no id growth over many round trips)", async () => {
    const { client, server } = await pair();
    await client.roundtrip();
    const before = client.connection.objects.size;
    const ids = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const cb = client.display.sync();
      ids.add(cb.id);
      await nextEvent(cb, "done");
      await new Promise((resolve) => setImmediate(resolve)); // delete_id follows done in the same batch
    }
    expect(ids.size).toBe(1);
    expect(client.connection.objects.size).toBe(before);
    expect(server.clients.size).toBe(1);
  });

  it("frame callbacks of a surface destroyed before its commit are deleted, not leaked", async () => {
    const { client, server } = await pair();
    const surface = client.bind(WlCompositor).createSurface();
    const callbacks = [surface.frame(), surface.frame()];
    surface.destroy();
    await client.roundtrip();
    const serverObjects = [...server.clients][0]!.connection.objects;
    expect(callbacks.map((c) => serverObjects.get(c.id))).toEqual([undefined, undefined]);
    // delete_id came for both: once the client lets go of the proxies their ids are free at once (no zombie), and reused.
    for (const c of callbacks) c.destroyProxy();
    const ids = new Set(callbacks.map((c) => c.id));
    expect(ids.has(client.display.sync().id)).toBe(true);
  });

  it("a client's disconnect destroys its resources: the server forgets its surfaces", async () => {
    const { client, globals, server } = await pair();
    client.bind(WlCompositor).createSurface();
    await client.roundtrip();
    expect(globals.compositor.surfaces()).toHaveLength(1);
    const [serverSide] = [...server.clients];
    client.close();
    await serverSide!.closed;
    expect(globals.compositor.surfaces()).toHaveLength(0);
    expect(server.clients.size).toBe(0);
  });
});

describe("wl_shm memory", () => {
  it("the server maps the client's memfd: it reads the client's pixels when the file is size-sealed, never otherwise", async () => {
    const { client, globals } = await pair();
    const shm = client.bind(WlShm);
    const surface = client.bind(WlCompositor).createSurface();
    const commits: (Uint8Array | undefined)[] = [];
    for (const sealed of [true, false]) {
      const fd = nativeShm().memfdCreate("pixels", 4 * 4 * 2);
      new Uint8Array(nativeShm().mapFd(fd, 32, false)).set(Array.from({ length: 32 }, (_, i) => i * 3));
      if (sealed) nativeShm().sealSize(fd);
      const buffer = shm.createPool(fd, 32).createBuffer(0, 4, 2, 16, WlShmFormat.argb8888);
      closeSync(fd);
      surface.attach(buffer, 0, 0);
      surface.commit();
      await client.roundtrip();
      const committed = globals.compositor.surfaces()[0]!.current.buffer!;
      commits.push(shmBufferOf(committed)?.pixels()?.slice());
    }
    expect(commits[0]).toEqual(Uint8Array.from({ length: 32 }, (_, i) => i * 3));
    expect(commits[1]).toBeUndefined();
  });
});

describe("protocol errors with the protocol's codes", () => {
  async function expectError(client: WaylandClient, iface: string, code: number): Promise<void> {
    const error = await client.closed;
    expect(error?.code).toBe("ProtocolError");
    expect(error?.context).toMatchObject({ interface: iface, code });
  }

  it("wl_shm: an unknown format, and a pool larger than its file", async () => {
    const a = await pair();
    const fd = nativeShm().memfdCreate("t", 4096);
    const pool = a.client.bind(WlShm).createPool(fd, 4096);
    pool.createBuffer(0, 16, 16, 64, WlShmFormat.rgb332);
    await expectError(a.client, "wl_shm_pool", WlShmError.invalid_format);

    const b = await pair();
    b.client.bind(WlShm).createPool(fd, 8192);
    closeSync(fd);
    await expectError(b.client, "wl_shm", WlShmError.invalid_fd);
  });

  it("wl_shm: a buffer that does not fit its pool", async () => {
    const { client } = await pair();
    const fd = nativeShm().memfdCreate("t", 4096);
    const pool = client.bind(WlShm).createPool(fd, 4096);
    closeSync(fd);
    pool.createBuffer(0, 32, 33, 128, WlShmFormat.argb8888); // 4224 bytes in a 4096-byte pool
    await expectError(client, "wl_shm_pool", WlShmError.invalid_stride);
  });

  it("wl_seat: asking a seat without devices for a pointer", async () => {
    const { client } = await pair();
    client.bind(WlSeat).getPointer();
    await expectError(client, "wl_seat", WlSeatError.missing_capability);
  });

  it("nova_layer_surface_v1: the configure size is the output's on a doubly anchored axis; a bad serial or size is an error", async () => {
    const a = await pair();
    const { layer, serial } = await configuredLayer(a.client);
    layer.ackConfigure(serial);
    await a.client.roundtrip();
    expect(a.globals.shell.layerSurfaces()[0]!.acked).toBe(serial);
    layer.ackConfigure(serial + 100);
    await expectError(a.client, "nova_layer_surface_v1", NovaLayerSurfaceV1Error.invalid_serial);

    const b = await pair();
    const surface = b.client.bind(WlCompositor).createSurface();
    b.client.bind(NovaShellV1).getLayerSurface(surface, null, NovaShellV1Layer.top, "bad").setSize(0, 10);
    surface.commit();
    await expectError(b.client, "nova_layer_surface_v1", NovaLayerSurfaceV1Error.invalid_size);
  });

  it("nova_shell_v1: a surface that already has the role, or had a buffer", async () => {
    const a = await pair();
    const shell = a.client.bind(NovaShellV1);
    const surface = a.client.bind(WlCompositor).createSurface();
    shell.getLayerSurface(surface, null, NovaShellV1Layer.top, "one");
    shell.getLayerSurface(surface, null, NovaShellV1Layer.top, "two");
    await expectError(a.client, "nova_shell_v1", 0);

    const b = await pair();
    const s2 = b.client.bind(WlCompositor).createSurface();
    const fd = nativeShm().memfdCreate("t", 64);
    const buffer = b.client.bind(WlShm).createPool(fd, 64).createBuffer(0, 4, 4, 16, WlShmFormat.argb8888);
    closeSync(fd);
    s2.attach(buffer, 0, 0);
    b.client.bind(NovaShellV1).getLayerSurface(s2, null, NovaShellV1Layer.top, "late");
    await expectError(b.client, "nova_shell_v1", 2);
  });

  it("a request newer than the bound version is refused locally, before it reaches the wire", async () => {
    const { client } = await pair();
    const shell = client.bind(NovaShellV1, 1);
    expect(() => shell.getLauncher()).toThrow(expect.objectContaining({ code: "UnsupportedProtocolVersion" }));
    await client.roundtrip();
  });
});
