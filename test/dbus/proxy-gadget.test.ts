/**
 * The generated GadgetClient over dbusProxy against the exported Gadget
 * (fixtures/gadget.nidl): every value kind round-trips NIDL → D-Bus → NIDL,
 * several results come back as a named object, the declared error arrives as
 * its class with a struct field, a descriptor passes both ways, and the
 * property cache follows each EmitsChangedSignal value (true and const are
 * cached, invalidates and false are read every time; an observer of an
 * invalidated property gets the new value).
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DbusConnection } from "../../runtime/dbus/connection.js";
import { dbusProxy, type DbusClientPort } from "../../runtime/dbus/proxy.js";
import { Variant } from "../../runtime/dbus/wire/index.js";
import { IPCError } from "../../runtime/errors.js";
import { Broken, GadgetClient, GadgetDbus, Mode, type Point } from "./fixtures/generated/org.novade.test.gadget.js";
import { startPrivateBus, type PrivateBus } from "./connection-bus.js";
import { GADGET_NAME, readAll, startGadget, type GadgetService } from "./export-gadget-impl.js";

let bus: PrivateBus;
let gadget: GadgetService;
let conn: DbusConnection;
let port: DbusClientPort;
let client: GadgetClient;
const dir = mkdtempSync(join(tmpdir(), "nova-proxy-gadget-"));

beforeAll(async () => {
  bus = await startPrivateBus();
  gadget = await startGadget(bus.address);
  conn = await DbusConnection.connect({ address: bus.address, timeoutMs: 10_000 });
  port = dbusProxy(conn, { destination: GADGET_NAME, interfaces: [GadgetDbus] });
  client = new GadgetClient(port);
}, 30_000);

afterAll(async () => {
  await port?.close();
  await conn?.close();
  await gadget?.stop();
  await bus?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("GadgetClient over dbusProxy", () => {
  it("round-trips every value kind and returns several results by name", async () => {
    expect(await client.swap("a", "b")).toEqual({ first: "b", second: "a" });
    const props = new Map<string, unknown>([["s", new Variant("s", "v")], ["byte", new Variant("y", 7)], ["nested", new Variant("a{sv}", new Map([["x", new Variant("d", 1.5)]]))]]);
    const sent = {
      props,
      mode: Mode.on,
      points: [{ x: 1, y: -2 }, { x: 2 ** 31 - 1, y: -(2 ** 31) }],
      raw: new Uint8Array([0, 1, 255]),
      small: [0, 7, 255],
      big: -(2n ** 63n),
      pair: ["p", 2n ** 64n - 1n] as [string, bigint],
      ids: new Map([[3, ["x", "y"]], [0, []]]),
    };
    const back = await client.mix(sent.props, sent.mode, sent.points, sent.raw, sent.small, sent.big, sent.pair, sent.ids);
    expect(back).toEqual(sent);
  });

  it("wraps plain values in a variant map by inference", async () => {
    const back = await client.mix(new Map<string, unknown>([["n", 3], ["t", "x"], ["l", [true]]]), Mode.off, [], new Uint8Array(), [], 0n, ["", 0n], new Map());
    expect(back.props).toEqual(new Map<string, Variant>([["n", new Variant("i", 3)], ["t", new Variant("s", "x")], ["l", new Variant("av", [new Variant("b", true)])]]));
  });

  it("gets the declared error as its class, struct field included", async () => {
    const error = await client.break(7).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Broken);
    expect((error as Broken).data).toEqual({ code: 7, at: { x: 7, y: -7 } });
    expect((error as Broken).message).toBe("broken with 7");
  });

  it("passes a descriptor both ways", async () => {
    const file = join(dir, "in");
    writeFileSync(file, "to the service");
    const fd = openSync(file, "r");
    try {
      expect(await client.readFd(fd)).toBe("to the service");
    } finally {
      closeSync(fd);
    }
    const received = await client.openFd("from the service");
    try {
      expect(readAll(received)).toBe("from the service");
    } finally {
      closeSync(received);
    }
  });

  it("receives signals with their structs as objects, until unsubscribed", async () => {
    const seen: [Point, number][] = [];
    const off = client.onMoved((p, mode) => seen.push([p, mode]));
    await port.subscribed();
    await client.move({ x: 1, y: 2 }, Mode.on);
    await waitFor(() => seen.length > 0);
    expect(seen).toEqual([[{ x: 2, y: 3 }, Mode.on]]);
    off();
    await client.move({ x: 5, y: 5 }, Mode.off);
    await client.swap("barrier", "");
    expect(seen).toHaveLength(1);
  });

  it("caches properties whose changes are announced (true) or that never change (const)", async () => {
    const names: string[] = [];
    const off = client.observeNameProperty((v) => names.push(v));
    await port.subscribed();
    const reads = (name: string) => gadget.reads.get(name) ?? 0;
    const before = { Name: reads("Name"), Serial: reads("Serial") };
    expect(await client.getNameProperty()).toBe(gadget.state.name);
    expect(await client.getSerialProperty()).toBe("SN-1");
    await client.setNameProperty("cached");
    await waitFor(() => names.includes("cached"));
    expect(await client.getNameProperty()).toBe("cached");
    expect(await client.getSerialProperty()).toBe("SN-1");
    expect({ Name: reads("Name"), Serial: reads("Serial") }).toEqual({ Name: before.Name + 1, Serial: before.Serial + 1 });
    off();
  });

  it("reads invalidates and false properties every time; an observer gets an invalidated value by Get", async () => {
    const levels: number[] = [];
    const off = client.observeLevelProperty((v) => levels.push(v));
    await port.subscribed();
    const reads = (name: string) => gadget.reads.get(name) ?? 0;
    const before = { Level: reads("Level"), Secret: reads("Secret") };
    await client.getLevelProperty();
    await client.getSecretProperty();
    await client.setLevelProperty(9);
    await client.setSecretProperty("changed");
    expect(await client.getLevelProperty()).toBe(9);
    expect(await client.getSecretProperty()).toBe("changed");
    await waitFor(() => levels.includes(9));
    // 2 reads each by the client, plus the observer's Get after the invalidation.
    expect({ Level: reads("Level"), Secret: reads("Secret") }).toEqual({ Level: before.Level + 3, Secret: before.Secret + 2 });
    await client.setSinkProperty("poured");
    expect(gadget.state.sink).toBe("poured");
    off();
  });

  it("rejects values of the wrong shape before sending", async () => {
    const error = await client.move({ x: "1" } as unknown as Point, Mode.on).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IPCError);
    expect((error as IPCError).code).toBe("SerializationError");
    expect((error as IPCError).context["path"]).toEqual([0, "x"]);
  });

  it("maps standard D-Bus errors to IPCError codes", async () => {
    const nobody = new GadgetClient(dbusProxy(conn, { destination: "org.novade.test.Nobody", interfaces: [GadgetDbus] }));
    const unreachable = await nobody.swap("a", "b").catch((e: unknown) => e);
    expect((unreachable as IPCError).code).toBe("EndpointUnreachable");
    const elsewhere = new GadgetClient(dbusProxy(conn, { destination: GADGET_NAME, path: "/nothing/here", interfaces: [GadgetDbus] }));
    const missing = await elsewhere.swap("a", "b").catch((e: unknown) => e);
    expect((missing as IPCError).code).toBe("MethodNotFound");
  });

  it("forgets cached values when the service's name changes owner", async () => {
    const off = client.observeNameProperty(() => undefined);
    await port.subscribed();
    await client.setNameProperty("before restart");
    expect(await client.getNameProperty()).toBe("before restart");
    await gadget.stop();
    gadget = await startGadget(bus.address);
    // The new instance starts as "gadget": a value cached from the old one must not be served.
    const end = Date.now() + 10_000;
    let name = await client.getNameProperty();
    while (name !== "gadget" && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
      name = await client.getNameProperty();
    }
    expect(name).toBe("gadget");
    off();
  });
});
