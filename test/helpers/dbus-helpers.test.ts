/**
 * The D-Bus test helpers against real tools: the private dbus-daemon (dbus-daemon.ts) and the GDBus
 * peer (gdbus-peer.ts), driven with `gdbus` and `busctl` as independent clients.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startDbusDaemon, type DbusDaemon } from "./dbus-daemon.js";
import { startGdbusPeer, type GdbusPeer } from "./gdbus-peer.js";
import { runTool } from "./system-deps.js";

const XML = `<node>
  <interface name="org.novade.Test.Peer">
    <method name="Echo"><arg name="text" type="s" direction="in"/><arg name="text" type="s" direction="out"/></method>
    <method name="Add"><arg name="a" type="i" direction="in"/><arg name="b" type="i" direction="in"/><arg name="sum" type="i" direction="out"/></method>
    <method name="Pair"><arg name="x" type="u" direction="in"/><arg name="tag" type="s" direction="out"/><arg name="items" type="a{sv}" direction="out"/></method>
    <method name="Fail"/>
    <method name="EchoFd"><arg name="fd" type="h" direction="in"/><arg name="fd" type="h" direction="out"/></method>
    <method name="Unscripted"><arg type="u" direction="in"/><arg type="s" direction="out"/></method>
    <signal name="Ping"><arg name="n" type="u"/><arg name="text" type="s"/></signal>
    <property name="Count" type="u" access="readwrite"/>
  </interface>
</node>`;
const NAME = "org.novade.Test.Peer";
const PATH = "/org/novade/Test/Peer";
const IFACE = "org.novade.Test.Peer";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gdbusCall(bus: DbusDaemon, method: string, ...args: string[]): Promise<{ code: number; output: string }> {
  return runTool("gdbus", ["call", "--address", bus.address, "--dest", NAME, "--object-path", PATH, "--method", `${IFACE}.${method}`, ...args], {
    timeout: 20_000,
  });
}

/** `gdbus monitor` on the private bus, its lines collected; resolves once it is subscribed. */
async function monitor(bus: DbusDaemon): Promise<{ child: ChildProcess; lines: string[]; next(pattern: RegExp): Promise<string> }> {
  const child = spawn("gdbus", ["monitor", "--address", bus.address, "--dest", NAME], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  createInterface({ input: child.stdout! }).on("line", (l) => {
    lines.push(l);
    for (const f of listeners) f();
  });
  const next = (pattern: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gdbus monitor printed no ${pattern}: ${JSON.stringify(lines)}`)), 20_000);
      const check = (): void => {
        const hit = lines.find((l) => pattern.test(l));
        if (hit !== undefined) {
          clearTimeout(timer);
          listeners.delete(check);
          resolve(hit);
        }
      };
      listeners.add(check);
      check();
    });
  await next(/^Monitoring signals/);
  return { child, lines, next };
}

describe("startDbusDaemon", () => {
  it("starts a private bus that gdbus reaches, and stops it by its PID", async () => {
    const bus = await startDbusDaemon();
    try {
      expect(bus.address).toMatch(new RegExp(`^unix:path=${bus.dir}/bus\\.sock,guid=[0-9a-f]{32}$`));
      expect(alive(bus.pid)).toBe(true);
      const names = await runTool("gdbus", ["call", "--address", bus.address, "--dest", "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus", "--method", "org.freedesktop.DBus.ListNames"]);
      expect(names.code).toBe(0);
      expect(names.output).toMatch(/^\(\['org\.freedesktop\.DBus', ':1\.\d+'\],\)$/m);
    } finally {
      await bus.stop();
    }
    expect(alive(bus.pid)).toBe(false);
    expect(existsSync(bus.dir)).toBe(false);
    await bus.stop(); // idempotent
  });

  it("fails naming the Debian package when dbus-daemon is missing", async () => {
    const saved = process.env.PATH;
    const empty = mkdtempSync(join(tmpdir(), "nova-nopath-"));
    process.env.PATH = empty;
    try {
      await expect(startDbusDaemon()).rejects.toThrow(/missing dbus-daemon: install the Debian package dbus-daemon/);
    } finally {
      process.env.PATH = saved;
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("GDBus peer (python3-gi) on a private bus", () => {
  let bus: DbusDaemon;
  let peer: GdbusPeer | undefined;
  let watcher: ChildProcess | undefined;

  beforeEach(async () => {
    bus = await startDbusDaemon();
  });
  afterEach(async () => {
    if (watcher?.pid !== undefined && watcher.exitCode === null) process.kill(watcher.pid, "SIGTERM");
    watcher = undefined;
    await peer?.stop();
    peer = undefined;
    await bus.stop();
  });

  const start = async (): Promise<GdbusPeer> => {
    peer = await startGdbusPeer({
      address: bus.address,
      name: NAME,
      path: PATH,
      xml: XML,
      script: {
        methods: {
          Add: { return: "(int32 42,)" },
          [`${IFACE}.Pair`]: { return: "('tag', {'k': <int64 -5>})" },
          Fail: { error: "org.novade.Test.Error.Refused", message: "scripted failure" },
        },
        properties: { Count: "uint32 3" },
      },
    });
    return peer;
  };

  it("owns its name, answers methods as scripted and logs GLib's decoding of each call", async () => {
    const p = await start();
    expect(p.uniqueName).toMatch(/^:1\.\d+$/);
    const owner = await runTool("gdbus", ["call", "--address", bus.address, "--dest", "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus", "--method", "org.freedesktop.DBus.GetNameOwner", NAME]);
    expect(owner.output.trim()).toBe(`('${p.uniqueName}',)`);

    expect((await gdbusCall(bus, "Echo", "héllo wörld")).output.trim()).toBe("('héllo wörld',)");
    expect((await gdbusCall(bus, "Add", "1", "2")).output.trim()).toBe("(42,)");
    expect((await gdbusCall(bus, "Pair", "7")).output.trim()).toBe("('tag', {'k': <int64 -5>})");
    const failed = await gdbusCall(bus, "Fail");
    expect(failed.code).not.toBe(0);
    expect(failed.output).toContain("org.novade.Test.Error.Refused: scripted failure");
    const unscripted = await gdbusCall(bus, "Unscripted", "1");
    expect(unscripted.output).toContain("org.novade.Test.Error.NotScripted");

    await p.waitFor(/^CALL :1\.\d+ org\.novade\.Test\.Peer\.Unscripted /); // the pipe may lag behind gdbus's exit
    const calls = p.calls().map((l) => l.replace(/^CALL :1\.\d+ /, ""));
    expect(calls).toEqual([`${IFACE}.Echo ('héllo wörld',)`, `${IFACE}.Add (1, 2)`, `${IFACE}.Pair (uint32 7,)`, `${IFACE}.Fail ()`, `${IFACE}.Unscripted (uint32 1,)`]);
  });

  it("serves its properties to busctl and emits signals and PropertiesChanged that gdbus monitor sees", async () => {
    const p = await start();
    const m = await monitor(bus);
    watcher = m.child;
    const get = await runTool("busctl", ["--address", bus.address, "get-property", NAME, PATH, IFACE, "Count"]);
    expect(get.output.trim()).toBe("u 3");
    const set = await runTool("busctl", ["--address", bus.address, "set-property", NAME, PATH, IFACE, "Count", "u", "9"]);
    expect(set.code).toBe(0);
    await p.waitFor(/^SET org\.novade\.Test\.Peer\.Count uint32 9$/);
    expect((await runTool("busctl", ["--address", bus.address, "get-property", NAME, PATH, IFACE, "Count"])).output.trim()).toBe("u 9");
    await m.next(/org\.freedesktop\.DBus\.Properties\.PropertiesChanged \('org\.novade\.Test\.Peer', \{'Count': <uint32 9>\}, @as \[\]\)/);

    await p.emit(PATH, IFACE, "Ping", "(uint32 7, 'seven')");
    await m.next(/org\.novade\.Test\.Peer\.Ping \(uint32 7, 'seven'\)/);
    await p.setProperty(IFACE, "Count", "uint32 11");
    await m.next(/PropertiesChanged \('org\.novade\.Test\.Peer', \{'Count': <uint32 11>\}/);
  });

  it("echoes a file descriptor back (a GDBus client passes it, GLib's own fd passing both ways)", async () => {
    await start();
    const file = join(bus.dir, "fd.txt");
    writeFileSync(file, "through the bus\n");
    const client = `
import os, sys, gi
gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib
flags = Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
c = Gio.DBusConnection.new_for_address_sync(sys.argv[1], flags, None, None)
fds = Gio.UnixFDList.new_from_array([os.open(sys.argv[2], os.O_RDONLY)])
res, out = c.call_with_unix_fd_list_sync("${NAME}", "${PATH}", "${IFACE}", "EchoFd", GLib.Variant("(h)", (0,)), GLib.VariantType("(h)"), 0, 20000, fds, None)
print(res.print_(True), out.get_length(), os.read(out.steal_fds()[res[0]], 100).decode().strip())
`;
    const result = await runTool("/usr/bin/python3", ["-c", client, bus.address, file], { timeout: 20_000 });
    expect(result.output.trim()).toBe("(handle 0,) 1 through the bus");
  });

  it("refuses a bad command without dying, and fails to start when the name is taken", async () => {
    const p = await start();
    await expect(p.emit(PATH, IFACE, "Ping", "(not a variant")).rejects.toThrow(/gdbus-peer refused/);
    await expect(p.emit(PATH, IFACE, "Ping", "uint32 7")).rejects.toThrow(/must be a tuple, not u/);
    expect((await gdbusCall(bus, "Echo", "still here")).output.trim()).toBe("('still here',)");
    await expect(startGdbusPeer({ address: bus.address, name: NAME, path: PATH, xml: XML })).rejects.toThrow(/could not own org\.novade\.Test\.Peer/);
  });
});
