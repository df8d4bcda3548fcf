/**
 * exportService beyond the demo, with the test Gadget (fixtures/gadget.nidl):
 * the generated fixture is current, busctl reaches methods with structs,
 * maps, variants, bytes, 64-bit values and several results, busctl
 * set-property / get-property work, PropertiesChanged follows each
 * property's EmitsChangedSignal (true: the value, invalidates: the name,
 * const and false: nothing), signals carry converted structs, and the export
 * handles paths, registrations and its bus name.
 */
import { execFileSync } from "node:child_process";
import { closeSync, openSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DbusConnection } from "../../runtime/dbus/connection.js";
import { NameFlags } from "../../runtime/dbus/bus-names.js";
import { exportService } from "../../runtime/dbus/export.js";
import type { IPCError } from "../../runtime/errors.js";
import type { DbusMessage } from "../../runtime/dbus/wire/index.js";
import { emitDbusXml } from "../../generator/emit/dbus/index.js";
import { GadgetDbus, registerGadget, type GadgetImpl } from "./fixtures/generated/org.novade.test.gadget.js";
import { compileOrThrow, readSources } from "../generator/ts/helpers/generate.js";
import { compareDbusXml } from "../helpers/semantic-xml.js";
import { settledCode } from "../helpers/ipc-error.js";
import { runTool } from "../helpers/system-deps.js";
import { ensureBuilt, makeTempDir, removeDir, ROOT } from "../transport/helpers.js";
import { startPrivateBus, type PrivateBus } from "./connection-bus.js";
import { GADGET_NAME, startGadget, type GadgetService } from "./export-gadget-impl.js";

const PATH = "/org/novade/test/Gadget";
const IFACE = "org.novade.test.Gadget";

let bus: PrivateBus;
let gadget: GadgetService;
let watcher: DbusConnection;
const changes: DbusMessage[] = [];
const moved: DbusMessage[] = [];

beforeAll(async () => {
  bus = await startPrivateBus();
  gadget = await startGadget(bus.address);
  watcher = await DbusConnection.connect({ address: bus.address, timeoutMs: 10_000 });
  await watcher.addMatch({ type: "signal", interface: "org.freedesktop.DBus.Properties", member: "PropertiesChanged", path: PATH }, (m) => changes.push(m));
  await watcher.addMatch({ type: "signal", interface: IFACE, member: "Moved" }, (m) => moved.push(m));
}, 30_000);

afterAll(async () => {
  await watcher?.close();
  await gadget?.stop();
  await bus?.stop();
});

const busctl = (...args: string[]) => runTool("busctl", [`--address=${bus.address}`, "--no-pager", ...args], { timeout: 20_000 });
const gdbus = (...args: string[]) => runTool("gdbus", [...args], { env: bus.env, timeout: 20_000 });

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A round trip through the bus after which every signal sent before it has arrived. */
async function barrier(): Promise<void> {
  await watcher.call({ destination: GADGET_NAME, path: PATH, interface: "org.freedesktop.DBus.Peer", member: "Ping" });
}

describe("the Gadget fixture", () => {
  it("is what nova-gen generates today", () => {
    const out = makeTempDir("nova-gadget-gen-");
    execFileSync(process.execPath, [ensureBuilt("bin/nova-gen.js"), "generate", "test/dbus/fixtures/gadget.nidl", "--out", out, "--target", "ts", "--runtime-import", "../../../../runtime/generated.js"], {
      cwd: ROOT,
      stdio: "pipe",
    });
    const name = "org.novade.test.gadget.ts";
    try {
      expect(readFileSync(join(ROOT, "test/dbus/fixtures/generated", name), "utf8"), "regenerate with the command above").toBe(readFileSync(join(out, name), "utf8"));
    } finally {
      removeDir(out);
    }
  }, 60_000);
});

describe("the Gadget exported on D-Bus", () => {
  it("introspects as the generated XML", async () => {
    const r = await gdbus("introspect", "--session", "--dest", GADGET_NAME, "--object-path", PATH, "--xml");
    const ours = r.output.replace(/<interface name="org\.freedesktop\.DBus\.[A-Za-z]+">[\s\S]*?<\/interface>/g, "");
    const model = compileOrThrow(readSources(["test/dbus/fixtures/gadget.nidl"]));
    expect(compareDbusXml(ours, (await emitDbusXml(model, { runtimeImport: "unused" })).files[0]!.content)).toEqual([]);
  });

  it("answers busctl with several results, structs, maps, variants, bytes and 64-bit values", async () => {
    const swap = await busctl("call", GADGET_NAME, PATH, IFACE, "Swap", "ss", "a", "b");
    expect(swap.output.trim()).toBe('ss "b" "a"');
    const values = "2 k s v n y 7 1 2 1 2 -3 -4 2 0 255 1 9 -9007199254740993 p 18446744073709551615 1 3 2 x y".split(" ");
    const mix = await busctl("call", "--", GADGET_NAME, PATH, IFACE, "Mix", "a{sv}ya(ii)ayayx(st)a{uas}", ...values);
    expect(mix.code, mix.output).toBe(0);
    expect(mix.output.trim()).toBe('a{sv}ya(ii)ayayx(st)a{uas} 2 "k" s "v" "n" y 7 1 2 1 2 -3 -4 2 0 255 1 9 -9007199254740993 "p" 18446744073709551615 1 3 2 "x" "y"');
  });

  it("sends the declared error under its D-Bus name", async () => {
    const r = await gdbus("call", "--session", "--dest", GADGET_NAME, "--object-path", PATH, "--method", `${IFACE}.Break`, "7");
    expect(r.code).not.toBe(0);
    expect(r.output).toContain("GDBus.Error:org.novade.test.gadget.Error.Broken");
  });

  it("sets and gets properties with busctl, announcing each change as EmitsChangedSignal says", async () => {
    changes.length = 0;
    const set = async (name: string, sig: string, value: string) => (await busctl("set-property", GADGET_NAME, PATH, IFACE, name, sig, value)).code;
    expect(await set("Name", "s", "renamed")).toBe(0);
    expect(await set("Level", "u", "5")).toBe(0);
    expect(await set("Secret", "s", "hidden")).toBe(0);
    expect(await set("Sink", "s", "poured")).toBe(0);
    await barrier();
    expect(gadget.state).toEqual({ name: "renamed", level: 5, secret: "hidden", sink: "poured" });
    const get = async (name: string) => (await busctl("get-property", GADGET_NAME, PATH, IFACE, name)).output.trim();
    expect([await get("Name"), await get("Level"), await get("Serial"), await get("Secret")]).toEqual(['s "renamed"', "u 5", 's "SN-1"', 's "hidden"']);
    // "true" sends the value, "invalidates" only the name; Secret ("false") and Sink send nothing.
    await waitFor(() => changes.length >= 2);
    expect(changes.map((m) => [m.body[0], [...(m.body[1] as Map<string, { value: unknown }>).entries()].map(([k, v]) => [k, v.value]), m.body[2]])).toEqual([
      [IFACE, [["Name", "renamed"]], []],
      [IFACE, [], ["Level"]],
    ]);
  });

  it("refuses what the access modes forbid and values of the wrong type", async () => {
    expect((await busctl("set-property", GADGET_NAME, PATH, IFACE, "Serial", "s", "x")).code).not.toBe(0);
    expect((await busctl("get-property", GADGET_NAME, PATH, IFACE, "Sink")).code).not.toBe(0);
    const wrong = await busctl("set-property", GADGET_NAME, PATH, IFACE, "Level", "s", "5");
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toMatch(/type/i);
    const all = await gdbus("call", "--session", "--dest", GADGET_NAME, "--object-path", PATH, "--method", "org.freedesktop.DBus.Properties.GetAll", IFACE);
    expect(all.output).toMatch(/^\(\{'Name': <'renamed'>, 'Level': <uint32 5>, 'Serial': <'SN-1'>, 'Secret': <'hidden'>\},\)/);
  });

  it("emits signals with their structs converted", async () => {
    moved.length = 0;
    const r = await busctl("call", GADGET_NAME, PATH, IFACE, "Move", "(ii)y", "1", "2", "1");
    expect(r.code, r.output).toBe(0);
    await waitFor(() => moved.length > 0);
    expect(moved[0]!.signature).toBe("(ii)y");
    expect(moved[0]!.body).toEqual([[2, 3], 1]);
  });

  it("closes the descriptors of calls it rejects before any handler sees them", async () => {
    const file = join(makeTempDir("nova-gadget-fd-"), "f");
    writeFileSync(file, "x");
    const fd = openSync(file, "r");
    const open = () => readdirSync("/proc/self/fd").length;
    const before = open();
    const bad = (member: string, signature: string, body: unknown[]) =>
      watcher.call({ destination: GADGET_NAME, path: PATH, interface: IFACE, member, signature, body }).then(
        () => "answered",
        (e: IPCError) => e.context["errorName"],
      );
    // Each call's descriptor arrives in this process (the export and the caller share it) as a new one.
    expect(await bad("Swap", "h", [fd])).toBe("org.freedesktop.DBus.Error.InvalidArgs");
    expect(await bad("NoSuchMethod", "h", [fd])).toBe("org.freedesktop.DBus.Error.UnknownMethod");
    expect(await bad("ReadFd", "hh", [fd, fd])).toBe("org.freedesktop.DBus.Error.InvalidArgs");
    expect(open()).toBe(before);
    closeSync(fd);
    removeDir(dirname(file));
  });

  it("serves at a given path, lists child nodes, and stops serving on unregister", async () => {
    const conn = await DbusConnection.connect({ address: bus.address, timeoutMs: 10_000 });
    try {
      const port = await exportService(conn, { interfaces: [GadgetDbus], path: "/x/y/gadget2" });
      // The skeleton calls into the implementation per call: a partial one serves what this test calls.
      const registration = registerGadget(port, { swap: (a: string, b: string) => ({ first: b, second: a }) } as unknown as GadgetImpl);
      const introspect = (path: string) =>
        watcher.call({ destination: conn.uniqueName, path, interface: "org.freedesktop.DBus.Introspectable", member: "Introspect" }).then((m) => m.body[0] as string);
      expect(await introspect("/")).toContain('<node name="x"/>');
      expect(await introspect("/x/y")).toContain('<node name="gadget2"/>');
      expect(await introspect("/x/y/gadget2")).toContain(`<interface name="${IFACE}">`);
      expect(() => registerGadget(port, {} as GadgetImpl)).toThrow(/already served/);
      registration.unregister();
      const gone = watcher.call({ destination: conn.uniqueName, path: "/x/y/gadget2", interface: IFACE, member: "Swap", signature: "ss", body: ["a", "b"] });
      expect(await settledCode(gone)).toBe("RemoteError");
      await port.close();
    } finally {
      await conn.close();
    }
  });

  it("answers a call that arrives before its interface is registered (the name is public before registerX runs)", async () => {
    const conn = await DbusConnection.connect({ address: bus.address, timeoutMs: 10_000 });
    try {
      let register: (() => void) | undefined;
      // Seen first, like a client's call read in the same chunk as the RequestName reply: registration follows in a continuation.
      conn.onMethodCall((msg) => {
        if (msg.path === "/early" && register !== undefined) queueMicrotask(register);
        return false;
      });
      const port = await exportService(conn, { interfaces: [GadgetDbus], path: "/early" });
      register = () => void registerGadget(port, { swap: (a: string, b: string) => ({ first: b, second: a }) } as unknown as GadgetImpl);
      const reply = await watcher.call({ destination: conn.uniqueName, path: "/early", interface: IFACE, member: "Swap", signature: "ss", body: ["a", "b"] });
      expect(reply.body).toEqual(["b", "a"]);
      await port.close();
    } finally {
      await conn.close();
    }
  });

  it("answers a result that does not encode with an error, and keeps serving", async () => {
    const conn = await DbusConnection.connect({ address: bus.address, timeoutMs: 10_000 });
    try {
      const port = await exportService(conn, { interfaces: [GadgetDbus], path: "/bad" });
      // A NUL inside a string passes the skeleton (it validates calls, not results) and only the wire encoder refuses it.
      registerGadget(port, { swap: (a: string, b: string) => ({ first: `${b}\0`, second: a }), break: () => undefined } as unknown as GadgetImpl);
      const call = (member: string, signature: string, body: unknown[]) =>
        watcher.call({ destination: conn.uniqueName, path: "/bad", interface: IFACE, member, signature, body }).then(
          (m) => m.body,
          (e: IPCError) => e.context["errorName"],
        );
      expect(await call("Swap", "ss", ["a", "b"])).toBe("org.novade.IPC.Error.SerializationError");
      expect(await call("Break", "u", [1])).toEqual([]);
      await port.close();
    } finally {
      await conn.close();
    }
  });

  it("queues for a taken name, takes it when the owner leaves, and refuses it with DO_NOT_QUEUE", async () => {
    const conns = await Promise.all([0, 1, 2].map(() => DbusConnection.connect({ address: bus.address, timeoutMs: 10_000 })));
    const name = "org.novade.test.Queued";
    try {
      const first = await exportService(conns[0]!, { interfaces: [GadgetDbus], name });
      const second = await exportService(conns[1]!, { interfaces: [GadgetDbus], name });
      expect([first.nameState, second.nameState]).toEqual(["primary", "in_queue"]);
      expect(await settledCode(exportService(conns[2]!, { interfaces: [GadgetDbus], name, nameFlags: NameFlags.DO_NOT_QUEUE }))).toBe("EndpointUnreachable");
      await first.close();
      await waitFor(() => second.nameState === "primary");
      await second.close();
    } finally {
      for (const c of conns) await c.close();
    }
  });
});
