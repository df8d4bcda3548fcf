/**
 * A client generated from D-Bus XML (`nova-gen import dbus`, then the
 * TypeScript emitter) calls the python3-gi GDBus calculator through dbusProxy
 * and receives its signal: the path from someone else's introspection XML to
 * a typed client, with no NIDL written by hand. The import has no object path
 * and reads structs as tuples, so this also covers a proxy given its path and
 * tuple conversion.
 */
import { rmSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importDbus } from "../../generator/import/dbus.js";
import { emitTypeScript } from "../../generator/emit/ts/index.js";
import { DbusConnection } from "../../runtime/dbus/connection.js";
import type { DbusInterfaceDescriptor } from "../../runtime/dbus/descriptor.js";
import { dbusProxy, type DbusClientPort } from "../../runtime/dbus/proxy.js";
import type { RpcClientPort } from "../../runtime/rpc/contract.js";
import { compileOrThrow, freshTempDir, REPO_ROOT, writeFiles } from "../generator/ts/helpers/generate.js";
import { startPrivateBus, type PrivateBus } from "./connection-bus.js";
import { CALCULATOR_NAME, calculatorXml, startGdbusCalculator, type Service } from "./proxy-gdbus-service.js";

interface ImportedClient {
  add(a: number, b: number): Promise<number>;
  history(): Promise<[string, number][]>;
  reset(): void;
  onComputed(listener: (entry: [string, number]) => void): () => void;
  getCountProperty(): Promise<number>;
}

interface Imported {
  CalculatorClient: new (port: RpcClientPort) => ImportedClient;
  CalculatorDbus: DbusInterfaceDescriptor;
}

let bus: PrivateBus;
let service: Service;
let conn: DbusConnection;
let port: DbusClientPort;
let gen: Imported;
let dir: string;

beforeAll(async () => {
  const imported = importDbus([{ path: "org.novade.demo.Calculator.xml", text: await calculatorXml() }]);
  expect(imported.diagnostics).toEqual([]);
  const model = compileOrThrow(imported.files.map((f) => ({ path: f.path, text: f.text })));
  dir = freshTempDir("dbus-proxy-imported");
  const ts = await emitTypeScript(model, { runtimeImport: relative(dir, join(REPO_ROOT, "runtime", "generated.js")).split("\\").join("/") });
  writeFiles(dir, ts.files);
  gen = (await import(pathToFileURL(join(dir, ts.files[0]!.path)).href)) as Imported;
  bus = await startPrivateBus();
  service = await startGdbusCalculator(bus);
  conn = await DbusConnection.connect({ address: bus.address, timeoutMs: 10_000 });
  port = dbusProxy(conn, { destination: CALCULATOR_NAME, path: "/org/novade/demo/Calculator", interfaces: [gen.CalculatorDbus] });
}, 60_000);

afterAll(async () => {
  await port?.close();
  await conn?.close();
  await service?.stop();
  await bus?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("a client imported from D-Bus XML, against a GDBus service", () => {
  it("has a descriptor without a default path, naming the XML's interface", () => {
    expect(gen.CalculatorDbus.interface).toBe("org.novade.demo.Calculator");
    expect(gen.CalculatorDbus.path).toBeUndefined();
  });

  it("calls methods, receives the signal and reads the property", async () => {
    const client = new gen.CalculatorClient(port);
    const seen: [string, number][] = [];
    client.onComputed((entry) => seen.push(entry));
    await port.subscribed();
    client.reset();
    expect(await client.add(40, 2)).toBe(42);
    expect(await client.history()).toEqual([["add", 42]]);
    expect(await client.getCountProperty()).toBe(1);
    const end = Date.now() + 10_000;
    while (seen.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual([["add", 42]]);
  });
});
