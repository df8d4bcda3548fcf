/**
 * DbusConnection with real, independent D-Bus peers on a private bus:
 * `gdbus call` and `busctl call` reach a method served through onMethodCall,
 * a `gdbus emit` signal reaches our addMatch, and descriptors pass both ways
 * with a GDBus service written in python3-gi (connection-fd-peer.py).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DbusConnection } from "../../runtime/dbus/connection.js";
import { Variant, type DbusMessage } from "../../runtime/dbus/wire/index.js";
import { debianPackageFor, missingDependency, requirePath, runTool } from "../helpers/system-deps.js";
import { startPrivateBus, type PrivateBus } from "./connection-bus.js";

let bus: PrivateBus;
let conn: DbusConnection;
let peer: ChildProcessWithoutNullStreams | undefined;
const NAME = "org.novade.ToolsTest";

beforeAll(async () => {
  bus = await startPrivateBus();
  conn = await DbusConnection.connect({ address: bus.address });
  expect(await conn.requestName(NAME)).toBe("primary");
  conn.onMethodCall((msg, reply) => {
    if (msg.interface !== "org.novade.Calc") return false;
    if (msg.member === "Add" && msg.signature === "ii") reply.reply("i", [(msg.body[0] as number) + (msg.body[1] as number)]);
    else if (msg.member === "Describe") reply.reply("a{sv}", [new Map([["sum", new Variant("x", 5n)], ["tags", new Variant("as", ["a", "b"])]])]);
    else if (msg.member === "Divide") reply.error("org.novade.Calc.Error.DivisionByZero", "cannot divide by zero");
    else return false;
  });
});

afterAll(async () => {
  if (peer !== undefined && peer.exitCode === null) {
    const exited = new Promise((r) => peer!.once("exit", r));
    peer.stdin.end();
    const kill = setTimeout(() => process.kill(peer!.pid!, "SIGKILL"), 5000);
    await exited;
    clearTimeout(kill);
  }
  await conn?.close();
  await bus?.stop();
});

describe("real tools against DbusConnection", () => {
  it("gdbus call reaches a method served through onMethodCall, and gets declared errors as D-Bus errors", async () => {
    const add = await runTool("gdbus", ["call", "--address", bus.address, "--dest", NAME, "--object-path", "/calc", "--method", "org.novade.Calc.Add", "40", "2"]);
    expect(add).toEqual({ code: 0, output: "(42,)\n" });
    const describe = await runTool("gdbus", ["call", "--address", bus.address, "--dest", NAME, "--object-path", "/calc", "--method", "org.novade.Calc.Describe"]);
    expect(describe.output).toBe("({'sum': <int64 5>, 'tags': <['a', 'b']>},)\n");
    const divide = await runTool("gdbus", ["call", "--address", bus.address, "--dest", NAME, "--object-path", "/calc", "--method", "org.novade.Calc.Divide"]);
    expect(divide.code).not.toBe(0);
    expect(divide.output).toContain("GDBus.Error:org.novade.Calc.Error.DivisionByZero: cannot divide by zero");
    const unknown = await runTool("gdbus", ["call", "--address", bus.address, "--dest", NAME, "--object-path", "/calc", "--method", "org.novade.Calc.Nope"]);
    expect(unknown.output).toContain("org.freedesktop.DBus.Error.UnknownMethod");
  });

  it("busctl call reaches it too", async () => {
    const add = await runTool("busctl", [`--address=${bus.address}`, "call", NAME, "/calc", "org.novade.Calc", "Add", "ii", "40", "2"]);
    expect(add).toEqual({ code: 0, output: "i 42\n" });
    const divide = await runTool("busctl", [`--address=${bus.address}`, "call", NAME, "/calc", "org.novade.Calc", "Divide"]);
    expect(divide.code).not.toBe(0);
    expect(divide.output).toContain("cannot divide by zero");
  });

  it("a signal sent with gdbus emit reaches our addMatch", async () => {
    let got!: (m: DbusMessage) => void;
    const received = new Promise<DbusMessage>((r) => (got = r));
    const remove = await conn.addMatch({ type: "signal", interface: "org.novade.Emit", member: "Sent" }, got);
    // --session (the private bus through the environment): with --address gdbus emit skips Hello and the bus drops the signal.
    const emit = await runTool("gdbus", ["emit", "--session", "--object-path", "/emit", "--signal", "org.novade.Emit.Sent", "'hi'", "5", "<uint64 7>"], { env: bus.env });
    expect(emit.code).toBe(0);
    expect(await received).toMatchObject({ path: "/emit", signature: "siv", body: ["hi", 5, new Variant("t", 7n)] });
    await remove();
  });

  it("passes descriptors both ways with a python3-gi (GDBus) service", async () => {
    const python = requirePath("/usr/bin/python3");
    const script = join(dirname(fileURLToPath(import.meta.url)), "connection-fd-peer.py");
    peer = spawn(python, [script, bus.address], { stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    peer.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const ready = await new Promise<boolean>((resolve) => {
      createInterface({ input: peer!.stdout }).once("line", (line) => resolve(line === "ready"));
      peer!.once("exit", () => resolve(false));
    });
    if (!ready && /No module named 'gi'/.test(stderr)) throw missingDependency("python module gi", debianPackageFor("python3:gi"));
    expect(ready, stderr).toBe(true);
    // Ours → GDBus: a file's descriptor; GDBus reads it.
    const dir = mkdtempSync(join(tmpdir(), "nova-dbus-fd-"));
    try {
      writeFileSync(join(dir, "f.txt"), "sent by novade ✓");
      const fd = openSync(join(dir, "f.txt"), "r");
      try {
        const read = await conn.call({ destination: "org.novade.FdPeer", path: "/org/novade/FdPeer", interface: "org.novade.FdPeer", member: "ReadFd", signature: "h", body: [fd] });
        expect(read.body).toEqual(["sent by novade ✓"]);
      } finally {
        closeSync(fd);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // GDBus → ours: the read end of a pipe in a reply.
    const made = await conn.call({ destination: "org.novade.FdPeer", path: "/org/novade/FdPeer", interface: "org.novade.FdPeer", member: "MakeFd", signature: "s", body: ["from glib"] });
    expect(made.signature).toBe("h");
    expect(made.fds).toHaveLength(1);
    expect(made.body[0]).toBe(made.fds[0]);
    const buf = Buffer.alloc(64);
    const n = readSync(made.fds[0]!, buf);
    closeSync(made.fds[0]!);
    expect(buf.subarray(0, n).toString()).toBe("from glib");
    // And its signals reach us with sender matching on its well-known name.
    let got!: (m: DbusMessage) => void;
    const received = new Promise<DbusMessage>((r) => (got = r));
    const remove = await conn.addMatch({ type: "signal", sender: "org.novade.FdPeer", member: "Emitted" }, got);
    await conn.call({ destination: "org.novade.FdPeer", path: "/org/novade/FdPeer", interface: "org.novade.FdPeer", member: "Emit", signature: "s", body: ["ping"] });
    expect((await received).body).toEqual(["ping"]);
    await remove();
  });

  it("passes descriptors between two of our connections", async () => {
    const other = await DbusConnection.connect({ address: bus.address });
    const dir = mkdtempSync(join(tmpdir(), "nova-dbus-fd-"));
    try {
      other.onMethodCall((msg, reply) => {
        const buf = Buffer.alloc(64);
        const n = readSync((msg.body[0] as [string, number])[1], buf, 0, 64, 0);
        for (const fd of msg.fds) closeSync(fd);
        reply.reply("s", [buf.subarray(0, n).toString()]);
      });
      writeFileSync(join(dir, "g.txt"), "between us");
      const fd = openSync(join(dir, "g.txt"), "r");
      const reply = await conn.call({ destination: other.uniqueName, path: "/fd", member: "Read", signature: "(sh)", body: [["x", fd]] }).finally(() => closeSync(fd));
      expect(reply.body).toEqual(["between us"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await other.close();
    }
  });
});
