/**
 * Display sockets as libwayland finds and locks them (runtime/wayland/display-socket.ts), checked
 * against weston itself: whoever holds `<name>.lock` owns the display, in both directions, and
 * stale sockets of dead servers are replaced.
 */
import { chmodSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { connectDisplay, DEFAULT_DISPLAY, displayPath, listenDisplay, resolveDisplayAddress, type DisplaySocket } from "../../runtime/wayland/display-socket.js";
import { thrownCode } from "../helpers/ipc-error.js";
import { runTool } from "../helpers/system-deps.js";
import { privateRuntimeDir, startWeston, waylandInfo, type Weston } from "../helpers/weston.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function runtimeDir(): string {
  const dir = privateRuntimeDir();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function listen(env: NodeJS.ProcessEnv, name?: string, onConnection: (fd: number) => void = closeSync): Promise<DisplaySocket> {
  const socket = await listenDisplay({ name, env, onConnection });
  cleanups.push(() => socket.close());
  return socket;
}

describe("client address resolution (wl_display_connect)", () => {
  it("uses the name, then WAYLAND_DISPLAY, then wayland-0, under XDG_RUNTIME_DIR; absolute names as they are", () => {
    const env = { XDG_RUNTIME_DIR: "/run/user/7" };
    expect(resolveDisplayAddress(undefined, env)).toEqual({ kind: "path", path: `/run/user/7/${DEFAULT_DISPLAY}` });
    expect(resolveDisplayAddress(undefined, { ...env, WAYLAND_DISPLAY: "wayland-3" })).toEqual({ kind: "path", path: "/run/user/7/wayland-3" });
    expect(resolveDisplayAddress("nova-1", { ...env, WAYLAND_DISPLAY: "wayland-3" })).toEqual({ kind: "path", path: "/run/user/7/nova-1" });
    expect(resolveDisplayAddress(undefined, { WAYLAND_DISPLAY: "/tmp/x/wl" })).toEqual({ kind: "path", path: "/tmp/x/wl" });
  });

  it("refuses a relative name without XDG_RUNTIME_DIR, and a path longer than sun_path", () => {
    expect(thrownCode(() => resolveDisplayAddress("wayland-0", {}))).toBe("InvalidEndpointName");
    expect(thrownCode(() => displayPath(`/tmp/${"x".repeat(103)}`, {}))).toBe("InvalidEndpointName");
    expect(displayPath(`/tmp/${"x".repeat(102)}`, {})).toHaveLength(107);
  });

  it("takes WAYLAND_SOCKET first, only when it is an open socket, and removes it from the environment", async () => {
    const dir = runtimeDir();
    const server = createServer();
    await new Promise<void>((r) => server.listen(join(dir, "s"), r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const fd = await connectDisplay(join(dir, "s"));
    const env: NodeJS.ProcessEnv = { WAYLAND_SOCKET: String(fd), WAYLAND_DISPLAY: "/nowhere" };
    expect(resolveDisplayAddress("other", env)).toEqual({ kind: "fd", fd });
    const taken = await connectDisplay(undefined, { env });
    cleanups.push(() => closeSync(taken));
    expect(env.WAYLAND_SOCKET).toBeUndefined();
    // Taken over: a close-on-exec duplicate of the socket replaces the inherited number.
    expect(taken).not.toBe(fd);
    expect(fstatSync(taken).isSocket()).toBe(true);
    const file = openSync(join(dir, "plain"), "w");
    cleanups.push(() => closeSync(file));
    expect(thrownCode(() => resolveDisplayAddress(undefined, { WAYLAND_SOCKET: String(file) }))).toBe("EndpointUnreachable");
    expect(thrownCode(() => resolveDisplayAddress(undefined, { WAYLAND_SOCKET: "12x" }))).toBe("EndpointUnreachable");
  });

  it("fails to connect to a display nobody serves with EndpointUnreachable", async () => {
    const dir = runtimeDir();
    await expect(connectDisplay("wayland-9", { env: { XDG_RUNTIME_DIR: dir } })).rejects.toMatchObject({ code: "EndpointUnreachable" });
  });
});

describe("server sockets (wl_display_add_socket)", () => {
  it("listens on $XDG_RUNTIME_DIR/<name> with <name>.lock, serves libwayland clients, and removes both on close", async () => {
    const dir = runtimeDir();
    const accepted: number[] = [];
    const socket = await listen({ XDG_RUNTIME_DIR: dir }, "wayland-nova", (fd) => accepted.push(fd));
    expect(socket.path).toBe(join(dir, "wayland-nova"));
    expect(existsSync(socket.lockPath)).toBe(true);
    const fd = await connectDisplay("wayland-nova", { env: { XDG_RUNTIME_DIR: dir } });
    closeSync(fd);
    for (let i = 0; i < 1000 && accepted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(accepted).toHaveLength(1);
    closeSync(accepted[0]!);
    await socket.close();
    expect(existsSync(socket.path)).toBe(false);
    expect(existsSync(socket.lockPath)).toBe(false);
  });

  it("picks the first free wayland-N like wl_display_add_socket_auto", async () => {
    const dir = runtimeDir();
    const first = await listen({ XDG_RUNTIME_DIR: dir });
    const second = await listen({ XDG_RUNTIME_DIR: dir });
    expect([first.name, second.name]).toEqual(["wayland-0", "wayland-1"]);
  });

  it("replaces a stale socket whose lock nobody holds", async () => {
    const dir = runtimeDir();
    writeFileSync(join(dir, "wayland-nova.lock"), "");
    // What a crashed server leaves: the socket file, nobody accepting on it (Node unlinks its own on close; Python does not).
    const bound = await runTool("/usr/bin/python3", ["-c", "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", join(dir, "wayland-nova")]);
    expect(bound.code).toBe(0);
    expect(existsSync(join(dir, "wayland-nova"))).toBe(true);
    await expect(connectDisplay(join(dir, "wayland-nova"))).rejects.toMatchObject({ code: "EndpointUnreachable" });
    const socket = await listen({ XDG_RUNTIME_DIR: dir }, "wayland-nova");
    const fd = await connectDisplay(socket.path);
    closeSync(fd);
  });

  it("refuses a runtime dir open to others, and a missing XDG_RUNTIME_DIR", async () => {
    const dir = runtimeDir();
    const open = join(dir, "open");
    mkdirSync(open);
    chmodSync(open, 0o755);
    await expect(listenDisplay({ name: "wayland-0", env: { XDG_RUNTIME_DIR: open }, onConnection: closeSync })).rejects.toMatchObject({ code: "InvalidEndpointName" });
    await expect(listenDisplay({ name: "wayland-0", env: {}, onConnection: closeSync })).rejects.toMatchObject({ code: "InvalidEndpointName" });
  });

  it("a missing weston fails naming its Debian package", async () => {
    await expect(startWeston({ env: { PATH: "/nonexistent" } })).rejects.toThrow("missing weston: install the Debian package weston");
  });

  it("shares the lock with libwayland: weston cannot take our display, and we cannot take weston's", async () => {
    const dir = runtimeDir();
    const ours = await listen({ XDG_RUNTIME_DIR: dir }, "wayland-ours");
    await expect(startWeston({ runtimeDir: dir, socket: "wayland-ours", timeoutMs: 60_000 })).rejects.toThrow(/exited \(1\)[\s\S]*unable to lock lockfile/);
    expect(existsSync(ours.path)).toBe(true);
    const fd = await connectDisplay(ours.path);
    closeSync(fd);

    const weston: Weston = await startWeston({ runtimeDir: dir, socket: "wayland-weston", timeoutMs: 60_000 });
    cleanups.push(() => weston.stop());
    await expect(listenDisplay({ name: "wayland-weston", env: { XDG_RUNTIME_DIR: dir }, onConnection: closeSync })).rejects.toMatchObject({ code: "InvalidEndpointName" });
    const info = await waylandInfo(weston.socketPath);
    expect(info.code).toBe(0);
    expect(info.globals.map((g) => g.interface)).toContain("wl_compositor");
  }, 120_000);
});
