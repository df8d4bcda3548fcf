/**
 * Our Wayland client (runtime/wayland/client.ts) against weston headless, a real compositor:
 * it sees exactly the globals wayland-info sees, `nova wayland globals` prints them, and a
 * wl_shm buffer from a memfd, committed on an xdg_toplevel surface, gets its frame callback.
 */
import { closeSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nativeShm } from "../../native/index.js";
import { globalLines } from "../../runtime/cli/wayland-command.js";
import { nextEvent, WaylandClient } from "../../runtime/wayland/client.js";
import { WlCompositor, WlShm, WlShmFormat } from "../../runtime/wayland/protocols/wayland.js";
import { XdgWmBase } from "../../runtime/wayland/protocols/xdg_shell.js";
import { runNova } from "../cli/processes.js";
import { startWeston, waylandInfo, type Weston } from "../helpers/weston.js";

let weston: Weston;

beforeAll(async () => {
  weston = await startWeston({ timeoutMs: 60_000 });
}, 90_000);

afterAll(async () => {
  await weston?.stop();
});

describe("our client on weston", () => {
  it("lists exactly the globals wayland-info lists (names, interfaces, versions)", async () => {
    const info = await waylandInfo(weston.socketPath);
    expect(info.code, info.output).toBe(0);
    expect(info.globals.length).toBeGreaterThan(10);
    const client = await WaylandClient.connect({ display: weston.socketPath });
    try {
      expect(client.globals()).toEqual(info.globals.map((g) => ({ name: g.name, interface: g.interface, version: g.version })));
    } finally {
      client.close();
    }
  });

  it("`nova wayland globals --display` prints them sorted, one `interface version` per line", async () => {
    const info = await waylandInfo(weston.socketPath);
    const r = await runNova(["wayland", "globals", "--display", weston.socketPath]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(globalLines(info.globals).join("\n") + "\n");
    expect(r.stdout).toContain("wl_compositor 4\n");
  }, 60_000);

  it("`nova wayland globals` with no compositor is error[EndpointUnreachable], exit 1", async () => {
    const r = await runNova(["wayland", "globals", "--display", `${weston.runtimeDir}/no-such-display`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error\[EndpointUnreachable\]: /);
  }, 60_000);

  it("a wl_shm pool from a memfd, a buffer and an xdg_toplevel surface: commit, then the frame callback", async () => {
    const client = await WaylandClient.connect({ display: weston.socketPath });
    try {
      const compositor = client.bind(WlCompositor);
      const shm = client.bind(WlShm);
      const wm = client.bind(XdgWmBase);
      wm.on("ping", (serial: number) => wm.pong(serial));
      const formats: number[] = [];
      shm.on("format", (f: number) => formats.push(f));
      const surface = compositor.createSurface();
      const xdgSurface = wm.getXdgSurface(surface);
      const toplevel = xdgSurface.getToplevel();
      toplevel.setTitle("nova test");
      const configured = nextEvent<[number]>(xdgSurface, "configure");
      surface.commit();
      const [serial] = await configured;
      expect(formats).toContain(WlShmFormat.argb8888);
      expect(formats).toContain(WlShmFormat.xrgb8888);
      xdgSurface.ackConfigure(serial);

      const [width, height] = [64, 48];
      const size = width * 4 * height;
      const fd = nativeShm().memfdCreate("nova-weston-test", size);
      const pixels = new Uint8Array(nativeShm().mapFd(fd, size, false));
      pixels.fill(0xff);
      const pool = shm.createPool(fd, size);
      closeSync(fd); // the request holds its own duplicate until it is sent
      const buffer = pool.createBuffer(0, width, height, width * 4, WlShmFormat.xrgb8888);
      pool.destroy();
      surface.attach(buffer, 0, 0);
      surface.damageBuffer(0, 0, width, height);
      const frame = nextEvent<[number]>(surface.frame(), "done");
      surface.commit();
      const [time] = await frame;
      expect(Number.isInteger(time)).toBe(true);
      // Nothing went wrong on the way: no protocol error closed the connection.
      await client.roundtrip();
      toplevel.destroy();
      xdgSurface.destroy();
      surface.destroy();
      buffer.destroy();
      await client.roundtrip();
    } finally {
      client.close();
    }
  }, 60_000);
});
