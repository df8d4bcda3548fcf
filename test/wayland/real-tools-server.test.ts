/**
 * Our Wayland server (runtime/wayland/server.ts + globals/) against real libwayland clients —
 * wayland-info and a C client built from wayland-scanner output of the shell protocol — and
 * against our own client for the registry's live changes and protocol errors.
 */
import { spawn } from "node:child_process";
import { closeSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { nativeShm } from "../../native/index.js";
import { nextEvent, WaylandClient } from "../../runtime/wayland/client.js";
import { addNovaGlobals, type AppInfo, type NovaGlobals } from "../../runtime/wayland/globals/index.js";
import { NovaLayerSurfaceV1Anchor, NovaShellV1, NovaShellV1Layer } from "../../runtime/wayland/protocols/nova_shell_v1.js";
import { WlCompositor, WlOutputResource, WlSeat, WlShm, WlShmFormat } from "../../runtime/wayland/protocols/wayland.js";
import { WaylandServer } from "../../runtime/wayland/server.js";
import { runNova } from "../cli/processes.js";
import { buildCPeers, runRoundtripBench, type CPeers } from "./c/build.js";
import { privateRuntimeDir, waylandInfo } from "../helpers/weston.js";

const APPS: readonly AppInfo[] = [
  { appId: "org.novade.Terminal", name: "Terminal", icon: "utilities-terminal", categories: "System;TerminalEmulator;", flags: 4 },
  { appId: "org.novade.Files", name: "Files", icon: "system-file-manager", categories: "System;", flags: 0 },
];

let dir = "";
let peers: CPeers;
const launches: { appId: string; token: string | null }[] = [];
let server: WaylandServer;
let globals: NovaGlobals;

beforeAll(async () => {
  dir = privateRuntimeDir();
  peers = await buildCPeers(join(dir, "c"));
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startServer(): Promise<string> {
  server = await WaylandServer.listen({ display: "wayland-test", env: { XDG_RUNTIME_DIR: dir } });
  launches.length = 0;
  globals = addNovaGlobals(server, {
    apps: APPS,
    launch: (app, token) => {
      launches.push({ appId: app.appId, token });
      return 4242;
    },
  });
  cleanups.push(() => server.close());
  return server.socket!.path;
}

/** Runs a C peer against `socketPath` to completion. */
function runC(binary: string, socketPath: string, args: readonly string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, WAYLAND_DISPLAY: socketPath };
    delete env.XDG_RUNTIME_DIR;
    const child = spawn(binary, [...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("wayland-info against our server", () => {
  it("lists our globals with their versions, the NovaDE shell among them, binds what it knows and exits 0", async () => {
    const path = await startServer();
    const info = await waylandInfo(path);
    expect(info.code, info.output).toBe(0);
    const listed = info.globals.map((g) => ({ name: g.name, interface: g.interface, version: g.version }));
    expect(listed).toEqual(server.globals());
    expect(listed.map((g) => `${g.interface} ${g.version}`)).toEqual(["wl_compositor 5", "wl_shm 1", "wl_output 4", "wl_seat 8", "nova_shell_v1 2"]);
    // What it printed after binding wl_shm, wl_output and wl_seat came from our events.
    expect(info.output).toMatch(/^\s+0 = 'AR24'$/m);
    expect(info.output).toMatch(/^\s+1 = 'XR24'$/m);
    expect(info.output).toContain("width: 1920 px, height: 1080 px, refresh: 60.000 Hz");
    expect(info.output).toContain("name: HEADLESS-1");
    expect(info.output).toMatch(/^\s+name: seat0$/m);
  });
});

describe("nova wayland globals against our server", () => {
  it("prints our globals sorted, one `interface version` per line", async () => {
    const path = await startServer();
    const r = await runNova(["wayland", "globals", "--display", path]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("nova_shell_v1 2\nwl_compositor 5\nwl_output 4\nwl_seat 8\nwl_shm 1\n");
  }, 60_000);
});

describe("a C client (wayland-scanner + libwayland-client) on the shell protocol", () => {
  it("gets the configure, the app list and the launched event for its requests", async () => {
    const path = await startServer();
    const r = await runC(peers.shellClient, path);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual([
      "bound nova_shell_v1 2",
      "configure 1920 32",
      "app org.novade.Terminal|Terminal|utilities-terminal|System;TerminalEmulator;|4",
      "app org.novade.Files|Files|system-file-manager|System;|0",
      "done 2",
      "launched org.novade.Terminal 4242",
      "ok",
    ]);
    expect(launches).toEqual([{ appId: "org.novade.Terminal", token: "token-1" }]);
  });

  it("gets a protocol error for an invalid layer, and the server keeps serving others", async () => {
    const path = await startServer();
    const bad = await runC(peers.shellClient, path, ["--bad-layer"]);
    expect(bad.code, bad.stderr).toBe(1);
    expect(bad.stdout.trim().split("\n").at(-1)).toBe("error nova_layer_surface_v1 1");
    const good = await runC(peers.shellClient, path);
    expect(good.code, good.stderr).toBe(0);
  });
});

describe("the libwayland baseline client of the bench", () => {
  it("times wl_display_roundtrip against our server", async () => {
    const path = await startServer();
    const stats = await runRoundtripBench(peers.roundtripBench, path, 200);
    expect(stats.n).toBe(200);
    expect(stats.p50Us).toBeGreaterThan(0);
    expect(stats.p95Us).toBeGreaterThanOrEqual(stats.p50Us);
  }, 120_000);
});

describe("our client against our server", () => {
  it("sees globals added and removed live, binds at min(advertised, wanted), and round-trips", async () => {
    const path = await startServer();
    const client = await WaylandClient.connect({ display: path });
    cleanups.push(() => client.close());
    expect(client.globals().map((g) => g.interface)).toEqual(["wl_compositor", "wl_shm", "wl_output", "wl_seat", "nova_shell_v1"]);
    expect(client.bind(WlSeat, 3).version).toBe(3);
    expect(client.bind(NovaShellV1).version).toBe(2);
    const second = globals.shell.globalName + 1;
    const name = server.addGlobal(WlOutputResource, 2, (output) => (output.implementation = {}));
    expect(name).toBe(second);
    await client.roundtrip();
    expect(client.globals().filter((g) => g.interface === "wl_output").map((g) => g.version)).toEqual([4, 2]);
    server.removeGlobal(name);
    await client.roundtrip();
    expect(client.globals().filter((g) => g.interface === "wl_output")).toHaveLength(1);
  });

  it("a bind above the advertised version is a protocol error for that client only", async () => {
    const path = await startServer();
    const bad = await WaylandClient.connect({ display: path });
    const good = await WaylandClient.connect({ display: path });
    cleanups.push(() => good.close());
    bad.registry.bind(bad.find("wl_shm")!.name, WlShm, 2);
    const error = await bad.closed;
    expect(error?.code).toBe("ProtocolError");
    expect(error?.message).toContain("invalid version for global wl_shm");
    await good.roundtrip();
    expect(server.clients.size).toBe(1);
  });

  it("creates a wl_shm pool from a memfd, a buffer and a layer surface; the frame callback fires on commit", async () => {
    const path = await startServer();
    const client = await WaylandClient.connect({ display: path });
    cleanups.push(() => client.close());
    const compositor = client.bind(WlCompositor);
    const shm = client.bind(WlShm);
    const formats: number[] = [];
    shm.on("format", (f: number) => formats.push(f));
    const shell = client.bind(NovaShellV1);
    await client.roundtrip();
    expect(formats).toEqual([WlShmFormat.argb8888, WlShmFormat.xrgb8888]);
    const surface = compositor.createSurface();
    const layer = shell.getLayerSurface(surface, null, NovaShellV1Layer.bottom, "dock");
    layer.setAnchor(NovaLayerSurfaceV1Anchor.bottom);
    layer.setSize(64, 48);
    const configure = nextEvent<[number, number, number]>(layer, "configure");
    surface.commit();
    const [serial, w, h] = await configure;
    expect([w, h]).toEqual([64, 48]);
    layer.ackConfigure(serial);
    const fd = nativeShm().memfdCreate("test-pool", 64 * 4 * 48);
    const pool = shm.createPool(fd, 64 * 4 * 48);
    const buffer = pool.createBuffer(0, 64, 48, 256, WlShmFormat.xrgb8888);
    surface.attach(buffer, 0, 0);
    const done = nextEvent<[number]>(surface.frame(), "done");
    surface.commit();
    expect(Number.isInteger((await done)[0])).toBe(true);
    closeSync(fd);
    const committed = globals.compositor.surfaces()[0]!;
    expect(committed.current.buffer).not.toBeNull();
    expect(globals.shell.layerSurfaces()[0]!.acked).toBe(serial);
  });

  it("survives a client that writes and vanishes (EPIPE/ECONNRESET) and keeps serving", async () => {
    const path = await startServer();
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => {
        const s = createConnection(path, () => {
          // wl_display.get_registry(new id 2) then wl_display.sync(3), then gone before the answers.
          const b = Buffer.alloc(24);
          b.writeUInt32LE(1, 0);
          b.writeUInt32LE((12 << 16) | 1, 4);
          b.writeUInt32LE(2, 8);
          b.writeUInt32LE(1, 12);
          b.writeUInt32LE((12 << 16) | 0, 16);
          b.writeUInt32LE(3, 20);
          s.end(b);
          s.destroy();
          resolve();
        });
      });
    }
    const info = await waylandInfo(path);
    expect(info.code, info.output).toBe(0);
  });
});
