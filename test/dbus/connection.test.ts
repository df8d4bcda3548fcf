/**
 * DbusConnection against a private dbus-daemon: Hello, calls between two of
 * our connections (replies, errors, unknown methods, NoReply, timeouts,
 * aborts), signals with match rules matched locally, bus names.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DbusConnection } from "../../runtime/dbus/connection.js";
import { NameFlags } from "../../runtime/dbus/bus-names.js";
import type { DbusMessage } from "../../runtime/dbus/wire/index.js";
import { settledCode } from "../helpers/ipc-error.js";
import { startPrivateBus, type PrivateBus } from "./connection-bus.js";

let bus: PrivateBus;
let server: DbusConnection;
let client: DbusConnection;

beforeAll(async () => {
  bus = await startPrivateBus();
  server = await DbusConnection.connect({ address: bus.address });
  client = await DbusConnection.connect({ address: bus.address, timeoutMs: 5000 });
  server.onMethodCall((msg, reply) => {
    if (msg.path !== "/calc") return false;
    if (msg.member === "Add") reply.reply("i", [(msg.body[0] as number) + (msg.body[1] as number)]);
    else if (msg.member === "Fail") reply.error("org.novade.Test.Error.Nope", "it failed");
    else if (msg.member === "Slow") return; // never answered
    else if (msg.member === "Echo") reply.reply(msg.signature, msg.body);
    else if (msg.member === "Note") server.emitSignal("/calc", "org.novade.Calc", "Noted", "s", [`noted ${String(msg.body[0])}`]);
    else return false;
  });
});

afterAll(async () => {
  await client?.close();
  await server?.close();
  await bus?.stop();
});

function nextSignal(conn: DbusConnection, rule: string): Promise<{ msg: Promise<DbusMessage>; remove: () => Promise<void> }> {
  let resolve!: (m: DbusMessage) => void;
  const msg = new Promise<DbusMessage>((r) => (resolve = r));
  return conn.addMatch(rule, resolve).then((remove) => ({ msg, remove }));
}

describe("DbusConnection", () => {
  it("says Hello and gets a unique name", () => {
    expect(server.uniqueName).toMatch(/^:1\.\d+$/);
    expect(client.uniqueName).not.toBe(server.uniqueName);
    expect(client.unixFds).toBe(true);
  });

  it("calls the bus and another connection's handler", async () => {
    const id = await client.call({ destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus", member: "GetId" });
    expect(id.body[0]).toMatch(/^[0-9a-f]{32}$/);
    const reply = await client.call({ destination: server.uniqueName, path: "/calc", interface: "org.novade.Calc", member: "Add", signature: "ii", body: [40, 2] });
    expect(reply).toMatchObject({ type: "method_return", signature: "i", body: [42], sender: server.uniqueName });
  });

  it("turns error replies into RemoteError with the D-Bus error name", async () => {
    const error = await client.call({ destination: server.uniqueName, path: "/calc", member: "Fail" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "RemoteError", context: { errorName: "org.novade.Test.Error.Nope", message: "it failed" } });
    const unknown = await client.call({ destination: server.uniqueName, path: "/nothing", interface: "org.x.Y", member: "Z" }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: "RemoteError", context: { errorName: "org.freedesktop.DBus.Error.UnknownMethod" } });
    const noOwner = await client.call({ destination: "org.novade.Nobody", path: "/", member: "Z" }).catch((e: unknown) => e);
    expect(noOwner).toMatchObject({ code: "RemoteError", context: { errorName: "org.freedesktop.DBus.Error.ServiceUnknown" } });
  });

  it("answers Peer.Ping and GetMachineId itself", async () => {
    await expect(client.call({ destination: server.uniqueName, path: "/any", interface: "org.freedesktop.DBus.Peer", member: "Ping" })).resolves.toMatchObject({ signature: "" });
    const id = await client.call({ destination: server.uniqueName, path: "/", interface: "org.freedesktop.DBus.Peer", member: "GetMachineId" });
    expect(id.body[0]).toMatch(/^[0-9a-f]{32}$/);
  });

  it("times out calls with the default timeout each at its own deadline, answered ones never, beside a call with its own", async () => {
    const conn = await DbusConnection.connect({ address: bus.address, timeoutMs: 400 });
    try {
      const slow = () => conn.call({ destination: server.uniqueName, path: "/calc", member: "Slow" });
      const started = performance.now();
      const settledAt = (p: Promise<unknown>) => settledCode(p).then((code) => ({ code, ms: performance.now() - started }));
      const first = settledAt(slow());
      const own = settledAt(conn.call({ destination: server.uniqueName, path: "/calc", member: "Slow" }, { timeoutMs: 150 }));
      await new Promise((r) => setTimeout(r, 200));
      const second = settledAt(slow());
      const answered = conn.call({ destination: server.uniqueName, path: "/calc", member: "Add", signature: "ii", body: [1, 2] });
      expect((await answered).body).toEqual([3]);
      const [a, b, c] = await Promise.all([first, own, second]);
      expect(c.code).toBe("TimeoutExpired");
      expect(a.code).toBe("TimeoutExpired");
      expect(b.code).toBe("TimeoutExpired");
      expect(b.ms).toBeGreaterThanOrEqual(149);
      expect(a.ms).toBeGreaterThanOrEqual(399);
      // The second call's deadline is its own (200 ms later), not the first's.
      expect(c.ms).toBeGreaterThanOrEqual(599);
      expect(c.ms - a.ms).toBeGreaterThanOrEqual(150);
    } finally {
      await conn.close();
    }
  });

  it("times out, aborts, and sends NoReply calls without waiting", async () => {
    const started = Date.now();
    expect(await settledCode(client.call({ destination: server.uniqueName, path: "/calc", member: "Slow" }, { timeoutMs: 300 }))).toBe("TimeoutExpired");
    expect(Date.now() - started).toBeLessThan(3000);
    const controller = new AbortController();
    const pending = client.call({ destination: server.uniqueName, path: "/calc", member: "Slow" }, { signal: controller.signal });
    controller.abort();
    expect(await settledCode(pending)).toBe("Cancelled");
    // NoReply: the handler still runs (it emits a signal), and no reply comes back.
    const { msg, remove } = await nextSignal(client, "type='signal',interface='org.novade.Calc',member='Noted'");
    const sent = await client.call({ destination: server.uniqueName, path: "/calc", interface: "org.novade.Calc", member: "Note", signature: "i", body: [7] }, { noReply: true });
    expect(sent.flags & 1).toBe(1);
    expect((await msg).body).toEqual(["noted 7"]);
    await remove();
  });

  it("delivers each signal to the listeners whose rules match it, locally filtered", async () => {
    const got: string[] = [];
    const removeA = await client.addMatch({ type: "signal", interface: "org.novade.Sig", member: "A" }, (m) => got.push(`A:${String(m.body[0])}`));
    const removeArg = await client.addMatch("type='signal',interface='org.novade.Sig',arg0='yes'", (m) => got.push(`arg0:${m.member}`));
    const removePath = await client.addMatch({ pathNamespace: "/sig/deep" }, (m) => got.push(`ns:${m.path}`));
    const done = nextSignal(client, "type='signal',member='Done'");
    const { msg } = await done;
    server.emitSignal("/sig", "org.novade.Sig", "A", "s", ["yes"]);
    server.emitSignal("/sig", "org.novade.Sig", "B", "s", ["no"]);
    server.emitSignal("/sig/deep/er", "org.novade.Sig", "B", "s", ["yes"]);
    server.emitSignal("/sig", "org.novade.Sig", "Done", "", []);
    await msg;
    expect(got).toEqual(["A:yes", "arg0:A", "arg0:B", "ns:/sig/deep/er"]);
    await removeA();
    await removeArg();
    await removePath();
    got.length = 0;
    const again = await nextSignal(client, "type='signal',member='Done2'");
    server.emitSignal("/sig", "org.novade.Sig", "A", "s", ["yes"]);
    server.emitSignal("/sig", "org.novade.Sig", "Done2", "", []);
    await again.msg;
    expect(got).toEqual([]);
  });

  it("matches sender='well.known.name' against the name's owner", async () => {
    expect(await server.requestName("org.novade.SigSource")).toBe("primary");
    const got: DbusMessage[] = [];
    const other = await DbusConnection.connect({ address: bus.address });
    try {
      const remove = await client.addMatch({ type: "signal", sender: "org.novade.SigSource", member: "Tick" }, (m) => got.push(m));
      const end = await nextSignal(client, "type='signal',member='TickEnd'");
      other.emitSignal("/t", "org.novade.T", "Tick", "", []); // not from the owner
      server.emitSignal("/t", "org.novade.T", "Tick", "", []);
      server.emitSignal("/t", "org.novade.T", "TickEnd", "", []);
      await end.msg;
      expect(got.map((m) => m.sender)).toEqual([server.uniqueName]);
      await remove();
    } finally {
      await other.close();
      await server.releaseName("org.novade.SigSource");
    }
  });

  it("requests names with flags and reports queueing", async () => {
    const other = await DbusConnection.connect({ address: bus.address });
    try {
      expect(await server.requestName("org.novade.Names", NameFlags.ALLOW_REPLACEMENT)).toBe("primary");
      expect(await server.requestName("org.novade.Names")).toBe("already_owner");
      expect(await other.requestName("org.novade.Names", NameFlags.DO_NOT_QUEUE)).toBe("exists");
      expect(await other.requestName("org.novade.Names")).toBe("in_queue");
      const acquired = await nextSignal(other, `type='signal',sender='org.freedesktop.DBus',member='NameAcquired',arg0='org.novade.Names'`);
      expect(await server.releaseName("org.novade.Names")).toBe("released");
      expect((await acquired.msg).body).toEqual(["org.novade.Names"]);
      expect(await server.releaseName("org.novade.Names")).toBe("not_owner");
      expect(await server.releaseName("org.novade.NeverOwned")).toBe("non_existent");
      expect(await settledCode(server.requestName(":1.5"))).toBe("InvalidEndpointName");
    } finally {
      await other.close();
    }
  });

  it("moves big messages and bursts through full socket buffers (EAGAIN) intact and in order", async () => {
    const big = new Uint8Array(6 * 1024 * 1024).map((_, i) => (i * 7) & 0xff);
    const echoed = await client.call({ destination: server.uniqueName, path: "/calc", member: "Echo", signature: "ays", body: [big, "end"] });
    expect(echoed.body[1]).toBe("end");
    expect(Buffer.compare(echoed.body[0] as Uint8Array, big)).toBe(0);
    const count = 20_000;
    const seen: number[] = [];
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    const remove = await client.addMatch({ type: "signal", interface: "org.novade.Burst" }, (m) => {
      seen.push(m.body[0] as number);
      if (seen.length === count) done();
    });
    for (let i = 0; i < count; i++) server.emitSignal("/burst", "org.novade.Burst", "N", "us", [i, "x".repeat(100)]);
    await all;
    expect(seen).toEqual(Array.from({ length: count }, (_, i) => i));
    await remove();
  });

  it("rejects pending calls with ChannelClosed when closed, and refuses new ones", async () => {
    const conn = await DbusConnection.connect({ address: bus.address });
    const closed = new Promise((r) => conn.once("closed", r));
    const pending = conn.call({ destination: server.uniqueName, path: "/calc", member: "Slow" });
    await conn.close();
    await closed;
    expect(await settledCode(pending)).toBe("ChannelClosed");
    expect(await settledCode(conn.call({ destination: server.uniqueName, path: "/calc", member: "Add" }))).toBe("ChannelClosed");
  });
});
