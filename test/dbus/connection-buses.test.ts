/**
 * Which bus a connection reaches: `unix:abstract=` (exact-length names, as
 * dbus-daemon binds them), `unix:runtime=yes`, listen-only addresses, a full
 * listen backlog, and session / system bus discovery from the environment.
 * Every daemon is a private one started here and stopped by its PID; the
 * system bus is only ever DBUS_SYSTEM_BUS_ADDRESS pointed at such a daemon.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DbusConnection } from "../../runtime/dbus/connection.js";
import { parseAddresses, sessionBusAddress, socketTarget, systemBusAddress } from "../../runtime/dbus/address.js";
import type { DbusMessage } from "../../runtime/dbus/wire/index.js";
import { runTool } from "../helpers/system-deps.js";
import { pythonUnixListener } from "../helpers/unix-listener.js";
import { startPrivateBus } from "./connection-bus.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Sets environment variables for one test (undefined deletes one); restored afterwards. */
function withEnv(vars: Record<string, string | undefined>): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>): void => {
    for (const [k, value] of Object.entries(v)) {
      if (value === undefined) delete process.env[k];
      else process.env[k] = value;
    }
  };
  apply(vars);
  cleanups.push(() => apply(saved));
}

async function connectOutcome(address: string, timeoutMs: number): Promise<{ code: string; message: string; ms: number }> {
  const started = Date.now();
  try {
    const conn = await DbusConnection.connect({ address, timeoutMs });
    await conn.close();
    return { code: "connected", message: "", ms: Date.now() - started };
  } catch (error) {
    return { code: (error as { code?: string }).code ?? String(error), message: (error as Error).message, ms: Date.now() - started };
  }
}

async function connected(opts: Parameters<typeof DbusConnection.connect>[0]): Promise<DbusConnection> {
  const conn = await DbusConnection.connect({ timeoutMs: 10_000, ...opts });
  cleanups.push(() => conn.close());
  return conn;
}

const abstractName = (): string => `nova-test-${randomBytes(8).toString("hex")}`;

describe("unix:abstract=", () => {
  it("connects to dbus-daemon on an abstract name, calls, and receives a signal sent by gdbus", async () => {
    const name = abstractName();
    const bus = await startPrivateBus(undefined, () => `unix:abstract=${name}`);
    cleanups.push(() => bus.stop());
    expect(bus.address).toMatch(new RegExp(`^unix:abstract=${name},guid=[0-9a-f]{32}$`));
    const server = await connected({ address: `unix:abstract=${name}` });
    const client = await connected({ address: bus.address });
    expect(client.unixFds).toBe(true);
    server.onMethodCall((msg, reply) => reply.reply("s", [`echo ${String(msg.body[0])}`]));
    const reply = await client.call({ destination: server.uniqueName, path: "/t", interface: "org.novade.T", member: "Echo", signature: "s", body: ["x"] });
    expect(reply.body).toEqual(["echo x"]);
    let got!: (m: DbusMessage) => void;
    const signal = new Promise<DbusMessage>((r) => (got = r));
    await client.addMatch({ type: "signal", interface: "org.novade.Abstract", member: "Ping" }, got);
    const emit = await runTool("gdbus", ["emit", "--session", "--object-path", "/abstract", "--signal", "org.novade.Abstract.Ping", "'over abstract'"], { env: bus.env });
    expect(emit.code).toBe(0);
    expect(await signal).toMatchObject({ path: "/abstract", signature: "s", body: ["over abstract"] });
  });

  it("a name nobody listens on fails quickly with EndpointUnreachable", async () => {
    const r = await connectOutcome(`unix:abstract=${abstractName()}`, 5000);
    expect(r.code).toBe("EndpointUnreachable");
    expect(r.message).toContain("no socket has that abstract name (ECONNREFUSED)");
    expect(r.ms).toBeLessThan(1000);
  });
});

describe("addresses a client cannot or can only sometimes use", () => {
  it("unix:tmpdir= and unix:dir= are listen-only: a clear EndpointUnreachable naming them", async () => {
    for (const address of ["unix:tmpdir=/tmp", "unix:dir=/tmp"]) {
      const r = await connectOutcome(address, 2000);
      expect(r.code, address).toBe("EndpointUnreachable");
      expect(r.message, address).toMatch(/is an address to listen on .* not one to connect to/);
    }
  });

  it("unix:runtime=yes connects to $XDG_RUNTIME_DIR/bus", async () => {
    const bus = await startPrivateBus(undefined, (dir) => `unix:path=${join(dir, "bus")}`);
    cleanups.push(() => bus.stop());
    expect(socketTarget(parseAddresses("unix:runtime=yes")[0]!, { XDG_RUNTIME_DIR: bus.dir })).toEqual({ kind: "path", path: join(bus.dir, "bus") });
    expect(socketTarget(parseAddresses("unix:runtime=yes")[0]!, {})).toContain("XDG_RUNTIME_DIR is not set");
    expect(socketTarget(parseAddresses("unix:runtime=no")[0]!, { XDG_RUNTIME_DIR: bus.dir })).toContain("runtime= must be yes");
    withEnv({ XDG_RUNTIME_DIR: bus.dir });
    const conn = await connected({ address: "unix:runtime=yes" });
    expect(conn.uniqueName).toMatch(/^:1\.\d+$/);
  });

  it("a listen backlog that stays full ends at timeoutMs; one that frees up is retried and reached", async () => {
    const full = `nova-test-full-${randomBytes(6).toString("hex")}`;
    cleanups.push(await pythonUnixListener(`\0${full}`, "full"));
    const stuck = await connectOutcome(`unix:abstract=${full}`, 300);
    expect(stuck.code).toBe("EndpointUnreachable");
    expect(stuck.message).toContain("listen backlog stayed full for 300 ms (EAGAIN)");
    expect(stuck.ms).toBeGreaterThanOrEqual(290);
    expect(stuck.ms).toBeLessThan(3000);
    // This listener accepts after 300 ms and rejects authentication: being rejected proves the retried connect got through.
    const later = `nova-test-later-${randomBytes(6).toString("hex")}`;
    cleanups.push(await pythonUnixListener(`\0${later}`, "full-then-reject", 300));
    const reached = await connectOutcome(`unix:abstract=${later}`, 10_000);
    expect(reached.code).toBe("EndpointUnreachable");
    expect(reached.message).toContain("rejected authentication");
    expect(reached.ms).toBeGreaterThanOrEqual(250);
  });
});

describe("bus discovery (environment only)", () => {
  it("session: DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus when it exists", async () => {
    const bus = await startPrivateBus(undefined, (dir) => `unix:path=${join(dir, "bus")}`);
    cleanups.push(() => bus.stop());
    expect(sessionBusAddress({ DBUS_SESSION_BUS_ADDRESS: "unix:abstract=x", XDG_RUNTIME_DIR: bus.dir })).toBe("unix:abstract=x");
    expect(sessionBusAddress({ DBUS_SESSION_BUS_ADDRESS: "", XDG_RUNTIME_DIR: bus.dir })).toBe(`unix:path=${join(bus.dir, "bus")}`);
    withEnv({ DBUS_SESSION_BUS_ADDRESS: undefined, XDG_RUNTIME_DIR: bus.dir });
    const conn = await connected({ bus: "session" });
    const id = await conn.call({ destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus", member: "GetId" });
    expect(id.body[0]).toMatch(/^[0-9a-f]{32}$/);
    withEnv({ XDG_RUNTIME_DIR: join(bus.dir, "nowhere") });
    await expect(DbusConnection.connect({ bus: "session" })).rejects.toMatchObject({ code: "EndpointUnreachable", message: expect.stringContaining("DBUS_SESSION_BUS_ADDRESS is not set") });
  });

  it("system: DBUS_SYSTEM_BUS_ADDRESS (here a private daemon), else the well-known socket path", async () => {
    expect(systemBusAddress({})).toBe("unix:path=/var/run/dbus/system_bus_socket");
    expect(systemBusAddress({ DBUS_SYSTEM_BUS_ADDRESS: "" })).toBe("unix:path=/var/run/dbus/system_bus_socket");
    const name = abstractName();
    const bus = await startPrivateBus(undefined, () => `unix:abstract=${name}`);
    cleanups.push(() => bus.stop());
    withEnv({ DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${join(bus.dir, "missing")};unix:abstract=${name}` });
    const conn = await connected({ bus: "system" });
    const reply = await conn.call({ destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus", member: "GetNameOwner", signature: "s", body: [conn.uniqueName] });
    expect(reply.body).toEqual([conn.uniqueName]);
  });
});
