/**
 * Connecting when things go wrong ends quickly in a clear IPCError, never a
 * hang: no bus there, a bus that rejects us, a peer that speaks something
 * else, a silent peer, garbage after authentication. Also: addresses
 * (escapes, lists), and reconnecting to a restarted bus with names and match
 * rules restored. Abstract sockets and bus discovery: connection-buses.test.ts.
 */
import { createServer, type Server, type Socket } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DbusConnection } from "../../runtime/dbus/connection.js";
import { escapeValue, parseAddresses, sessionBusAddress, socketTarget } from "../../runtime/dbus/address.js";
import { parseMatchRule, formatMatchRule } from "../../runtime/dbus/match-rule.js";
import { MessageReader, encodeMessage, type DbusMessage } from "../../runtime/dbus/wire/index.js";
import { settledCode, thrownCode } from "../helpers/ipc-error.js";
import { startPrivateBus, type PrivateBus } from "./connection-bus.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A fake bus on a temp socket: `onConnection` scripts what it says. */
async function fakeBus(onConnection: (socket: Socket) => void): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "nova-dbus-fake-"));
  const path = join(dir, "bus.sock");
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((r) => server.listen(path, r));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });
  return `unix:path=${path}`;
}

/** Answers the SASL exchange like dbus-daemon, then calls `after` with the socket. */
function authenticating(after: (socket: Socket) => void): (socket: Socket) => void {
  return (socket) => {
    let text = "";
    socket.on("data", (d) => {
      text += d.toString("latin1");
      if (text.includes("AUTH EXTERNAL") && !text.includes("OK-SENT")) {
        text += "OK-SENT";
        socket.write("OK 0123456789abcdef0123456789abcdef\r\n");
      }
      if (text.includes("NEGOTIATE_UNIX_FD\r\n") && !text.includes("AGREE-SENT")) {
        text += "AGREE-SENT";
        socket.write("AGREE_UNIX_FD\r\n");
      }
      if (text.includes("BEGIN\r\n") && !text.includes("BEGUN")) {
        text += "BEGUN";
        after(socket);
      }
    });
  };
}

async function failsQuickly(address: string, timeoutMs = 2000): Promise<{ code: string; message: string; ms: number }> {
  const started = Date.now();
  try {
    const conn = await DbusConnection.connect({ address, timeoutMs });
    await conn.close();
    return { code: "connected", message: "", ms: Date.now() - started };
  } catch (error) {
    return { code: (error as { code?: string }).code ?? String(error), message: (error as Error).message, ms: Date.now() - started };
  }
}

describe("connect failures", () => {
  it("no bus at the address", async () => {
    const r = await failsQuickly("unix:path=/nonexistent/nova/bus.sock");
    expect(r).toMatchObject({ code: "EndpointUnreachable" });
    expect(r.message).toContain("ENOENT");
    expect(r.ms).toBeLessThan(1500);
  });

  it("the bus rejects authentication", async () => {
    const address = await fakeBus((s) => s.once("data", () => s.write("REJECTED DBUS_COOKIE_SHA1\r\n")));
    const r = await failsQuickly(address);
    expect(r.code).toBe("EndpointUnreachable");
    expect(r.message).toMatch(/rejected authentication.*DBUS_COOKIE_SHA1/);
  });

  it("the peer speaks another protocol, or a line never ends", async () => {
    const http = await failsQuickly(await fakeBus((s) => s.once("data", () => s.write("HTTP/1.1 400 Bad Request\r\n\r\n"))));
    expect(http.code).toBe("EndpointUnreachable");
    expect(http.message).toContain("HTTP/1.1 400");
    const endless = await failsQuickly(await fakeBus((s) => s.once("data", () => s.write(Buffer.alloc(20_000, 0x41)))));
    expect(endless.code).toBe("EndpointUnreachable");
    expect(endless.message).toContain("without a line end");
  });

  it("the peer closes, or says nothing (bounded by timeoutMs)", async () => {
    const closes = await failsQuickly(await fakeBus((s) => s.end()));
    expect(closes.code).toBe("EndpointUnreachable");
    const silent = await failsQuickly(await fakeBus(() => undefined), 400);
    expect(silent.code).toBe("EndpointUnreachable");
    expect(silent.message).toContain("400 ms");
    expect(silent.ms).toBeLessThan(3000);
  });

  it("garbage instead of the Hello reply is an IPCError naming the problem", async () => {
    const garbage = await failsQuickly(await fakeBus(authenticating((s) => s.write(Buffer.from("this is not D-Bus at all, not even close")))));
    expect(garbage.code).toBe("MessageCorrupted");
    const huge = Buffer.alloc(16);
    huge.write("l\x02\x00\x01", 0, "latin1");
    huge.writeUInt32LE(0x7fff_0000, 4);
    huge.writeUInt32LE(1, 8);
    huge.writeUInt32LE(8, 12);
    const tooLarge = await failsQuickly(await fakeBus(authenticating((s) => s.write(huge))));
    expect(tooLarge.code).toBe("MessageTooLarge");
    const silent = await failsQuickly(await fakeBus(authenticating(() => undefined)), 400);
    expect(silent.code).toBe("TimeoutExpired");
  });
});

describe("authentication fallbacks", () => {
  it("falls back to ANONYMOUS when EXTERNAL is rejected, and works without fd passing when the bus refuses it", async () => {
    const address = await fakeBus((socket) => {
      let text = "";
      let begun = false;
      const reader = new MessageReader();
      socket.on("data", (d: Buffer) => {
        if (begun) {
          for (const hello of reader.push(d)) {
            const reply = encodeMessage({ type: "method_return", flags: 1, serial: 1, replySerial: hello.serial, destination: ":1.99", sender: "org.freedesktop.DBus", signature: "s", body: [":1.99"], fds: [] });
            socket.write(reply.bytes);
          }
          return;
        }
        text += d.toString("latin1");
        const lines = text.split("\r\n");
        text = lines.pop()!;
        for (const line of lines) {
          if (line.startsWith("\0AUTH EXTERNAL")) socket.write("REJECTED ANONYMOUS\r\n");
          else if (line.startsWith("AUTH ANONYMOUS")) socket.write("OK 0123456789abcdef0123456789abcdef\r\n");
          else if (line === "NEGOTIATE_UNIX_FD") socket.write("ERROR fd passing is not available\r\n");
          else if (line === "BEGIN") {
            begun = true;
            if (text !== "") socket.emit("data", Buffer.from(text, "latin1"));
          }
        }
      });
    });
    const conn = await DbusConnection.connect({ address, timeoutMs: 3000 });
    cleanups.push(() => conn.close());
    expect(conn.uniqueName).toBe(":1.99");
    expect(conn.unixFds).toBe(false);
    expect(() => conn.emitSignal("/x", "org.x.Y", "Z", "h", [0])).toThrow(/cannot pass file descriptors/);
  });
});

describe("addresses", () => {
  it("parses lists, escapes and transports", () => {
    const [a, b, c] = parseAddresses("unix:path=/tmp/a%20b,guid=00ff;unix:abstract=nova%2dx;tcp:host=127.0.0.1,port=1234");
    expect(socketTarget(a!)).toEqual({ kind: "path", path: "/tmp/a b" });
    expect(a!.params.get("guid")).toBe("00ff");
    expect(socketTarget(b!)).toEqual({ kind: "abstract", name: "nova-x" });
    expect(socketTarget(c!)).toEqual({ kind: "tcp", host: "127.0.0.1", port: 1234 });
    expect(socketTarget(parseAddresses("launchd:env=X")[0]!)).toContain("not supported");
    expect(socketTarget(parseAddresses("unix:tmpdir=/tmp")[0]!)).toContain("an address to listen on");
    expect(socketTarget(parseAddresses("unix:path=/a,abstract=b")[0]!)).toContain("exactly one of");
    for (const bad of ["", "nocolon", "unix:path", "unix:path=a b", "unix:path=%zz", "unix:path=a,path=b"]) expect(thrownCode(() => parseAddresses(bad)), bad).toBe("InvalidEndpointName");
    expect(escapeValue("/tmp/a b/é")).toBe("/tmp/a%20b/%c3%a9");
    expect(sessionBusAddress({ DBUS_SESSION_BUS_ADDRESS: "unix:path=/x" })).toBe("unix:path=/x");
    expect(thrownCode(() => sessionBusAddress({}))).toBe("EndpointUnreachable");
  });

  it("tries a list of addresses in order", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nova-dbus-abs-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const bus = await startPrivateBus();
    cleanups.push(() => bus.stop());
    const conn = await DbusConnection.connect({ address: `unix:path=${join(dir, "missing.sock")};${bus.address}` });
    cleanups.push(() => conn.close());
    expect(conn.uniqueName).toMatch(/^:1\./);
  });

  it("match rules format with quoting and parse back", () => {
    const rule = { type: "signal" as const, sender: "org.x", interface: "org.x.Y", member: "Z", path: "/a", args: [undefined, "it's"], argPaths: ["/p/"], arg0namespace: "org.x" };
    const text = formatMatchRule(rule);
    expect(text).toBe("type='signal',sender='org.x',interface='org.x.Y',member='Z',path='/a',arg1='it'\\''s',arg0path='/p/',arg0namespace='org.x'");
    expect(parseMatchRule(text)).toEqual(rule);
    expect(thrownCode(() => parseMatchRule("type='bogus'"))).toBe("InvalidArgument");
    expect(thrownCode(() => parseMatchRule("arg64='x'"))).toBe("InvalidArgument");
  });
});

describe("reconnect", () => {
  it("re-Hellos, re-requests names and re-adds match rules after the bus restarts", async () => {
    let bus: PrivateBus = await startPrivateBus();
    cleanups.push(() => bus.stop());
    const conn = await DbusConnection.connect({ address: bus.address, reconnect: true, timeoutMs: 5000 });
    cleanups.push(() => conn.close());
    expect(await conn.requestName("org.novade.Survivor")).toBe("primary");
    const got: DbusMessage[] = [];
    await conn.addMatch({ type: "signal", interface: "org.novade.Again", member: "Hi" }, (m) => got.push(m));
    const disconnected = new Promise((r) => conn.once("disconnected", r));
    const reconnected = new Promise<string>((r) => conn.once("reconnected", r));
    await bus.stop({ keepDir: true });
    await disconnected;
    expect(await settledCode(conn.call({ destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", member: "GetId" }))).toBe("ChannelClosed");
    bus = await startPrivateBus(bus.dir);
    const name = await reconnected;
    expect(name).toBe(conn.uniqueName);
    const other = await DbusConnection.connect({ address: bus.address });
    cleanups.push(() => other.close());
    const owner = await other.call({ destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus", member: "GetNameOwner", signature: "s", body: ["org.novade.Survivor"] });
    expect(owner.body).toEqual([conn.uniqueName]);
    other.emitSignal("/x", "org.novade.Again", "Hi", "s", ["again"]);
    await expect.poll(() => got.map((m) => m.body[0]), { timeout: 5000 }).toEqual(["again"]);
  });
});
