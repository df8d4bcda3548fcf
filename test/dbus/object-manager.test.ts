/**
 * org.freedesktop.DBus.ObjectManager with tools we did not write, on a
 * private dbus-daemon: the Fleet fixture (fixtures/fleet.nidl) says
 * `@dbus(object_manager = true)`, vehicles are exported below it by ports of
 * their own. `gdbus introspect` shows the ObjectManager interface beside the
 * generated XML, `gdbus call … GetManagedObjects` lists exactly the objects
 * below the manager with their properties, `gdbus monitor` sees
 * InterfacesAdded / InterfacesRemoved, and GLib's own
 * Gio.DBusObjectManagerClient (python3-gi) follows objects and interfaces
 * coming and going. Our client (objectManagerProxy) sees the same.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DbusConnection } from "../../runtime/dbus/connection.js";
import { exportService, type DbusServerPort } from "../../runtime/dbus/export.js";
import { objectManagerProxy } from "../../runtime/dbus/object-manager-proxy.js";
import { OBJECT_MANAGER_XML } from "../../runtime/dbus/introspect.js";
import { Variant } from "../../runtime/dbus/wire/variant.js";
import type { CallContext } from "../../runtime/rpc/contract.js";
import { CargoDbus, FleetDbus, VehicleDbus, VehicleEmitter, registerCargo, registerFleet, registerVehicle } from "./fixtures/generated/org.novade.test.fleet.js";
import { generate } from "../../generator/index.js";
import { compileOrThrow, readSources } from "../generator/ts/helpers/generate.js";
import { compareDbusXml } from "../helpers/semantic-xml.js";
import { missingDependency, runTool } from "../helpers/system-deps.js";
import { startPrivateBus, type PrivateBus } from "./connection-bus.js";

const NAME = "org.novade.test.Fleet";
const FLEET = "/org/novade/test/Fleet";
const OM = "org.freedesktop.DBus.ObjectManager";
const PYTHON = "/usr/bin/python3";
const CLIENT = join(import.meta.dirname, "fixtures", "object-manager-client.py");

let bus: PrivateBus;
let conn: DbusConnection;
let fleetPort: DbusServerPort;
/** Ports opened by a test, closed after it. */
const extra: DbusServerPort[] = [];
const standing: DbusServerPort[] = [];

/** Serves a vehicle (and its cargo when `load` is given) at `path` on a port of its own. */
async function vehicle(path: string, label: string, speed: number, load?: number): Promise<{ port: DbusServerPort; emitter: VehicleEmitter }> {
  const port = await exportService(conn, { interfaces: [VehicleDbus, CargoDbus], path });
  const emitter = new VehicleEmitter(port);
  let current = label;
  registerVehicle(port, {
    stop: () => undefined,
    getLabelProperty: () => current,
    setLabelProperty: (value: string) => {
      current = value;
      emitter.emitLabelPropertyChanged(value);
    },
    getSpeedProperty: () => speed,
  });
  if (load !== undefined) registerCargo(port, { getLoadProperty: () => load, setSecretProperty: () => undefined });
  return { port, emitter };
}

beforeAll(async () => {
  bus = await startPrivateBus();
  conn = await DbusConnection.connect({ address: bus.address, timeoutMs: 10_000 });
  fleetPort = await exportService(conn, { interfaces: [FleetDbus], name: NAME });
  registerFleet(fleetPort, { count: () => 2, getNameProperty: (_c: CallContext) => "north" });
  standing.push((await vehicle(`${FLEET}/car1`, "red", 30, 7)).port, (await vehicle(`${FLEET}/car2`, "blue", 0)).port);
  // Not below the manager: never listed (a sibling sharing its prefix, and another subtree).
  standing.push((await vehicle("/org/novade/test/FleetX", "prefix", 1)).port, (await vehicle("/org/novade/test/Depot/car9", "elsewhere", 2)).port);
}, 30_000);

afterEach(async () => {
  for (const port of extra.splice(0)) await port.close();
});

afterAll(async () => {
  for (const port of standing) await port.close();
  await fleetPort?.close();
  await conn?.close();
  await bus?.stop();
});

const gdbus = (...args: string[]) => runTool("gdbus", args, { env: bus.env, timeout: 20_000 });

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every `<interface name="org.freedesktop.DBus.X">` element of an introspection document. */
function standardInterfaces(xml: string): Map<string, string> {
  return new Map([...xml.matchAll(/<interface name="(org\.freedesktop\.DBus\.[A-Za-z]+)">[\s\S]*?<\/interface>/g)].map((m) => [m[1]!, m[0]]));
}

describe("ObjectManager served from @dbus(object_manager = true)", () => {
  it("uses a fixture that is what nova-gen generates today", async () => {
    const model = compileOrThrow(readSources(["test/dbus/fixtures/fleet.nidl"]));
    const out = await generate(model, ["ts"], { runtimeImport: "../../../../runtime/generated.js" });
    const file = out.files.find((f) => f.path.endsWith("org.novade.test.fleet.ts"))!;
    const current = readFileSync(join(import.meta.dirname, "fixtures", "generated", "org.novade.test.fleet.ts"), "utf8");
    expect(current, "regenerate: node dist/bin/nova-gen.js generate test/dbus/fixtures/fleet.nidl --out test/dbus/fixtures/generated --target ts --runtime-import ../../../../runtime/generated.js").toBe(file.content);
  });

  it("introspects (gdbus introspect --xml) as the generated XML plus the standard interfaces and ObjectManager, with every child node", async () => {
    const r = await gdbus("introspect", "--session", "--dest", NAME, "--object-path", FLEET, "--xml");
    expect(r.code, r.output).toBe(0);
    const std = standardInterfaces(r.output);
    expect([...std.keys()].sort()).toEqual(["org.freedesktop.DBus.Introspectable", OM, "org.freedesktop.DBus.Peer", "org.freedesktop.DBus.Properties"]);
    const wrap = (inner: string) => `<node>\n${inner}</node>\n`;
    expect(compareDbusXml(wrap(std.get(OM)!), wrap(OBJECT_MANAGER_XML))).toEqual([]);
    const ours = r.output.replace(/<interface name="org\.freedesktop\.DBus\.[A-Za-z]+">[\s\S]*?<\/interface>/g, "").replace(/<node name="[^"]+"\/>/g, "");
    expect(compareDbusXml(ours, wrap(FleetDbus.xml))).toEqual([]);
    expect(FleetDbus.xml).toContain('<annotation name="org.novade.IPC.ObjectManager" value="true"/>');
    // The vehicles are served by other ports; the manager's node lists them all the same.
    expect([...r.output.matchAll(/<node name="([^"]+)"\/>/g)].map((m) => m[1])).toEqual(["car1", "car2"]);
    // A managed object is no manager itself.
    const car = await gdbus("introspect", "--session", "--dest", NAME, "--object-path", `${FLEET}/car1`, "--xml");
    expect([...standardInterfaces(car.output).keys()]).not.toContain(OM);
  });

  it("answers gdbus call GetManagedObjects with every object below it and their readable properties", async () => {
    const r = await gdbus("call", "--session", "--dest", NAME, "--object-path", FLEET, "--method", `${OM}.GetManagedObjects`);
    expect(r.code, r.output).toBe(0);
    expect(r.output.trim()).toBe(
      "({objectpath '/org/novade/test/Fleet/car1': {'org.novade.test.Vehicle': {'Label': <'red'>, 'Speed': <uint32 30>}, " +
        "'org.novade.test.Cargo': {'Load': <uint32 7>}}, " +
        "'/org/novade/test/Fleet/car2': {'org.novade.test.Vehicle': {'Label': <'blue'>, 'Speed': <uint32 0>}}},)",
    );
    // Only a manager answers; other members and other objects are refused as GDBus refuses them.
    const onCar = await gdbus("call", "--session", "--dest", NAME, "--object-path", `${FLEET}/car1`, "--method", `${OM}.GetManagedObjects`);
    expect(onCar.code).not.toBe(0);
    expect(onCar.output).toContain("org.freedesktop.DBus.Error.UnknownInterface");
    const other = await gdbus("call", "--session", "--dest", NAME, "--object-path", FLEET, "--method", `${OM}.GetAll`);
    expect(other.output).toContain("org.freedesktop.DBus.Error.UnknownMethod");
  });

  it("is seen by gdbus monitor: InterfacesAdded with the properties, then InterfacesRemoved", async () => {
    const monitor = spawn("gdbus", ["monitor", "--session", "--dest", NAME, "--object-path", FLEET], { env: bus.env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const spawned = new Promise<void>((resolve, reject) => {
      monitor.once("spawn", resolve);
      monitor.once("error", (e: NodeJS.ErrnoException) => reject(e.code === "ENOENT" ? missingDependency("gdbus") : e));
    });
    monitor.stdout.on("data", (d: Buffer) => (out += d.toString()));
    try {
      await spawned;
      await waitFor(() => out.includes("Monitoring signals"));
      const car3 = await vehicle(`${FLEET}/car3`, "green", 50, 3);
      await waitFor(() => out.includes("InterfacesAdded"));
      await car3.port.close();
      await waitFor(() => out.includes("InterfacesRemoved"));
      // Both interfaces registered in one tick arrive in one signal, as GDBus exports a whole object.
      expect(out).toContain(
        `${FLEET}: ${OM}.InterfacesAdded (objectpath '${FLEET}/car3', {'org.novade.test.Vehicle': {'Label': <'green'>, 'Speed': <uint32 50>}, 'org.novade.test.Cargo': {'Load': <uint32 3>}})`,
      );
      expect(out).toContain(`${FLEET}: ${OM}.InterfacesRemoved (objectpath '${FLEET}/car3', ['org.novade.test.Vehicle', 'org.novade.test.Cargo'])`);
    } finally {
      monitor.kill("SIGTERM");
    }
  });

  it("sends nothing for objects outside every manager's subtree", async () => {
    const seen: string[] = [];
    const watcher = await DbusConnection.connect({ address: bus.address, timeoutMs: 10_000 });
    try {
      await watcher.addMatch({ type: "signal", interface: OM }, (m) => seen.push(String(m.body[0])));
      const outside = await vehicle("/org/novade/test/Depot/car10", "grey", 5);
      await outside.port.close();
      const inside = await vehicle(`${FLEET}/car11`, "grey", 5);
      extra.push(inside.port);
      await waitFor(() => seen.length > 0);
      // Signals keep their order: had the Depot vehicle been announced, it would come first.
      expect(seen[0]).toBe(`${FLEET}/car11`);
    } finally {
      await watcher.close();
    }
  });
});

describe("nested managers", () => {
  it("a manager at / lists every other path; an object below two managers is announced by both", async () => {
    const root = await exportService(conn, { interfaces: [FleetDbus], path: "/" });
    extra.push(root);
    registerFleet(root, { count: () => 0, getNameProperty: () => "root" });
    const om = objectManagerProxy(conn, { destination: NAME, path: "/" });
    try {
      const all = await om.getManagedObjects();
      expect([...all.keys()].sort()).toEqual(["/org/novade/test/Depot/car9", FLEET, `${FLEET}/car1`, `${FLEET}/car2`, "/org/novade/test/FleetX"]);
      expect(all.get(FLEET)).toEqual(new Map([["org.novade.test.Fleet", new Map([["Name", new Variant("s", "north")]])]]));
      const from: string[] = [];
      const watcher = await DbusConnection.connect({ address: bus.address, timeoutMs: 10_000 });
      try {
        await watcher.addMatch({ type: "signal", interface: OM, member: "InterfacesAdded" }, (m) => from.push(`${m.path} ${String(m.body[0])}`));
        const car = await vehicle(`${FLEET}/car12`, "teal", 1);
        extra.push(car.port);
        await waitFor(() => from.length === 2);
        expect(from.sort()).toEqual([`/ ${FLEET}/car12`, `${FLEET} ${FLEET}/car12`]);
      } finally {
        await watcher.close();
      }
    } finally {
      await om.close();
    }
  });
});

/** The python3-gi client: one JSON record per line. */
interface GioClient {
  readonly records: Record<string, unknown>[];
  send(line: string): void;
  stop(): Promise<void>;
}

async function startGioClient(): Promise<GioClient> {
  const child: ChildProcess = spawn(PYTHON, [CLIENT, bus.address, NAME, FLEET], { stdio: ["pipe", "pipe", "pipe"] });
  const records: Record<string, unknown>[] = [];
  let err = "";
  let buffered = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  child.stdout!.on("data", (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    for (const line of lines) if (line.trim() !== "") records.push(JSON.parse(line) as Record<string, unknown>);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the Gio client did not list objects within 20 s: ${err}`)), 20_000);
    child.once("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e.code === "ENOENT" ? missingDependency(PYTHON) : e);
    });
    child.once("exit", () => {
      clearTimeout(timer);
      reject(/No module named 'gi'/.test(err) ? missingDependency("python3:gi") : new Error(`the Gio client exited: ${err}`));
    });
    const poll = setInterval(() => {
      if (records.length > 0) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }
    }, 20);
  });
  return {
    records,
    send: (line) => child.stdin!.write(`${line}\n`),
    stop: async () => {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      if (child.exitCode === null) await exited;
      clearTimeout(timer);
    },
  };
}

describe("Gio.DBusObjectManagerClient (python3-gi) against our ObjectManager", () => {
  it("sees our objects, their properties, objects and interfaces coming and going, and property changes", async () => {
    const gio = await startGioClient();
    try {
      expect(gio.records[0]).toEqual({
        event: "objects",
        objects: {
          [`${FLEET}/car1`]: { "org.novade.test.Vehicle": { Label: "'red'", Speed: "uint32 30" }, "org.novade.test.Cargo": { Load: "uint32 7" } },
          [`${FLEET}/car2`]: { "org.novade.test.Vehicle": { Label: "'blue'", Speed: "uint32 0" } },
        },
      });
      const find = (event: string, path: string) => () => gio.records.some((r) => r.event === event && r.path === path);

      const car5 = await vehicle(`${FLEET}/car5`, "white", 70, 9);
      extra.push(car5.port);
      await waitFor(find("object-added", `${FLEET}/car5`));
      expect(gio.records.find((r) => r.event === "object-added")).toEqual({ event: "object-added", path: `${FLEET}/car5`, interfaces: ["org.novade.test.Cargo", "org.novade.test.Vehicle"] });

      // A new interface on an existing object: interface-added, not a new object.
      const cargo = await exportService(conn, { interfaces: [CargoDbus], path: `${FLEET}/car2` });
      extra.push(cargo);
      registerCargo(cargo, { getLoadProperty: () => 4, setSecretProperty: () => undefined });
      await waitFor(find("interface-added", `${FLEET}/car2`));
      expect(gio.records.find((r) => r.event === "interface-added")).toEqual({ event: "interface-added", path: `${FLEET}/car2`, interface: "org.novade.test.Cargo" });

      // PropertiesChanged on a managed object reaches the proxy GDBus made for it.
      car5.emitter.emitLabelPropertyChanged("black");
      await waitFor(find("properties-changed", `${FLEET}/car5`));
      expect(gio.records.find((r) => r.event === "properties-changed")).toEqual({
        event: "properties-changed",
        path: `${FLEET}/car5`,
        interface: "org.novade.test.Vehicle",
        changed: { Label: "'black'" },
      });

      await cargo.close();
      await waitFor(find("interface-removed", `${FLEET}/car2`));
      await car5.port.close();
      await waitFor(find("object-removed", `${FLEET}/car5`));

      gio.send("list");
      await waitFor(() => gio.records.filter((r) => r.event === "objects").length === 2);
      expect(gio.records.filter((r) => r.event === "objects")[1]).toEqual(gio.records[0]);
    } finally {
      await gio.stop();
    }
  });
});

describe("objectManagerProxy", () => {
  it("lists the managed objects and follows InterfacesAdded / InterfacesRemoved", async () => {
    const client = await DbusConnection.connect({ address: bus.address, timeoutMs: 10_000 });
    const om = objectManagerProxy(client, { destination: NAME, path: FLEET });
    try {
      const added: [string, Map<string, Map<string, Variant>>][] = [];
      const removed: [string, string[]][] = [];
      om.onInterfacesAdded((path, interfaces) => added.push([path, interfaces]));
      om.onInterfacesRemoved((path, interfaces) => removed.push([path, interfaces]));
      await om.subscribed();
      const objects = await om.getManagedObjects();
      expect([...objects.keys()]).toEqual([`${FLEET}/car1`, `${FLEET}/car2`]);
      expect(objects.get(`${FLEET}/car1`)?.get("org.novade.test.Cargo")).toEqual(new Map([["Load", new Variant("u", 7)]]));

      const car6 = await vehicle(`${FLEET}/car6`, "pink", 12);
      await waitFor(() => added.length === 1);
      expect(added[0]).toEqual([`${FLEET}/car6`, new Map([["org.novade.test.Vehicle", new Map([["Label", new Variant("s", "pink")], ["Speed", new Variant("u", 12)]])]])]);
      await car6.port.close();
      await waitFor(() => removed.length === 1);
      expect(removed[0]).toEqual([`${FLEET}/car6`, ["org.novade.test.Vehicle"]]);

      // An object without a manager: a D-Bus error, as the proxy reports remote errors.
      const none = objectManagerProxy(client, { destination: NAME, path: `${FLEET}/car1` });
      await expect(none.getManagedObjects()).rejects.toMatchObject({ code: "MethodNotFound" });
    } finally {
      await om.close();
      await client.close();
    }
  });
});
