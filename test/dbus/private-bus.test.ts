/**
 * startPrivateBus (runtime/dbus/private-bus.ts), through the public entry `novade-ipc/runtime`:
 * a real dbus-daemon that our connection and gdbus reach, stopped by exactly its PID, its dir
 * removed, stop idempotent, restart at the same address, abstract names, the failures (missing
 * binary, name in use), and the exit hook of a process that never calls stop.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { DbusConnection, IPCError, startPrivateBus, type PrivateBus } from "../../runtime/index.js";
import { missingDependency, runTool } from "../helpers/system-deps.js";
import { ensureBuilt } from "../transport/helpers.js";

const run = promisify(execFile);
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

async function started(options?: Parameters<typeof startPrivateBus>[0]): Promise<PrivateBus> {
  const bus = await startPrivateBus(options);
  cleanups.push(() => bus.stop());
  return bus;
}

async function connected(address: string): Promise<DbusConnection> {
  const conn = await DbusConnection.connect({ address, timeoutMs: 10_000 });
  cleanups.push(() => conn.close());
  return conn;
}

/** Running (a zombie waiting for a reaper that is not there counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

const getId = (conn: DbusConnection) => conn.call({ destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus", member: "GetId" });

describe("startPrivateBus", () => {
  it("listens on <0700 temp dir>/bus.sock; our connection and gdbus (through env) reach it", async () => {
    const bus = await started();
    expect(bus.address).toMatch(new RegExp(`^unix:path=${bus.dir}/bus\\.sock,guid=[0-9a-f]{32}$`));
    expect(statSync(bus.dir).mode & 0o777).toBe(0o700);
    expect(alive(bus.pid)).toBe(true);
    expect(bus.env.DBUS_SESSION_BUS_ADDRESS).toBe(bus.address);
    const conn = await connected(bus.address);
    expect((await getId(conn)).body[0]).toMatch(/^[0-9a-f]{32}$/);
    const names = await runTool("gdbus", ["call", "--session", "--dest", "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus", "--method", "org.freedesktop.DBus.ListNames"], { env: bus.env });
    expect(names.code).toBe(0);
    expect(names.output).toContain(`'${conn.uniqueName}'`);
  });

  it("stop kills exactly its PID, removes the dir, and is idempotent", async () => {
    const bus = await started();
    const other = await started();
    const conn = await connected(other.address);
    await Promise.all([bus.stop(), bus.stop()]);
    expect(alive(bus.pid)).toBe(false);
    expect(existsSync(bus.dir)).toBe(false);
    await bus.stop();
    expect(alive(other.pid)).toBe(true);
    expect((await getId(conn)).body[0]).toMatch(/^[0-9a-f]{32}$/);
  });

  it("stop({ keepDir: true }) keeps the dir without the socket; a bus started in it has the same address", async () => {
    const first = await startPrivateBus();
    const path = first.address.split(",")[0];
    await first.stop({ keepDir: true });
    expect(alive(first.pid)).toBe(false);
    expect(readdirSync(first.dir)).toEqual([]);
    const second = await started({ dir: first.dir });
    expect(second.address.split(",")[0]).toBe(path);
    expect(second.pid).not.toBe(first.pid);
    await connected(second.address);
    await second.stop();
    expect(existsSync(first.dir)).toBe(false);
  });

  it('listen: "abstract" listens on a random abstract name, no socket file', async () => {
    const bus = await started({ listen: "abstract" });
    expect(bus.address).toMatch(/^unix:abstract=nova-bus-[0-9a-f]{16},guid=[0-9a-f]{32}$/);
    expect(readdirSync(bus.dir)).toEqual([]);
    const a = await connected(bus.address);
    const b = await connected(bus.address.split(",")[0]!);
    b.onMethodCall((msg, reply) => reply.reply("s", [`echo ${String(msg.body[0])}`]));
    const reply = await a.call({ destination: b.uniqueName, path: "/t", interface: "org.novade.T", member: "Echo", signature: "s", body: ["x"] });
    expect(reply.body).toEqual(["echo x"]);
  });

  it("an abstract name already in use: EndpointUnreachable with the daemon's stderr, dir removed", async () => {
    const bus = await started({ listen: "abstract" });
    const taken = bus.address.split(",")[0]!;
    const prefix = `nova-privbus-taken-${process.pid}-`;
    const error = await startPrivateBus({ listen: () => taken, prefix }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(IPCError);
    expect(error).toMatchObject({ code: "EndpointUnreachable", message: expect.stringMatching(/^dbus-daemon exited \(1\) before it listened on unix:abstract=nova-bus-[0-9a-f]{16}; stderr: .*in use/s) });
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith(prefix))).toEqual([]);
    expect(alive(bus.pid)).toBe(true);
  });

  it("a missing dbus-daemon is a TransportNotSupported IPCError naming the Debian package, as system-deps.ts words it", async () => {
    const saved = process.env.PATH;
    const empty = mkdtempSync(join(tmpdir(), "nova-nopath-"));
    const prefix = `nova-privbus-missing-${process.pid}-`;
    process.env.PATH = empty;
    try {
      const error = await startPrivateBus({ prefix }).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(IPCError);
      expect((error as IPCError).code).toBe("TransportNotSupported");
      expect((error as IPCError).message).toBe("missing dbus-daemon: install the Debian package dbus-daemon (apt install dbus-daemon)");
      expect((error as IPCError).message.startsWith(missingDependency("dbus-daemon").message.split(" (")[0]!)).toBe(true);
    } finally {
      process.env.PATH = saved;
      rmSync(empty, { recursive: true, force: true });
    }
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith(prefix))).toEqual([]);
  });

  it("a process that exits without stop takes its daemon and dir with it", async () => {
    const url = pathToFileURL(ensureBuilt("runtime/dbus/private-bus.js")).href;
    const script = `const { startPrivateBus } = await import(${JSON.stringify(url)}); const bus = await startPrivateBus(); console.log(bus.pid, bus.dir); process.exit(0);`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { timeout: 60_000 });
    const [pidText, dir] = stdout.trim().split(" ");
    const pid = Number(pidText);
    expect(pid).toBeGreaterThan(0);
    cleanups.push(async () => (alive(pid) ? process.kill(pid, "SIGKILL") : undefined));
    await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false);
    expect(existsSync(dir!)).toBe(false);
  }, 90_000);
});
