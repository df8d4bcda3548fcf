/**
 * The demo Calculator's generated server skeleton (examples/demo), unchanged,
 * served on a private dbus-daemon through exportService, and reached by
 * tools we did not write: `gdbus introspect` sees the generated XML,
 * `gdbus call` and `busctl call` reach every method and get the declared
 * error as a D-Bus error, `busctl get-property` reads the property, and
 * `gdbus monitor` sees the signal and PropertiesChanged.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DbusConnection } from "../../runtime/dbus/connection.js";
import { exportService, type DbusServerPort } from "../../runtime/dbus/export.js";
import { emitDbusXml } from "../../generator/emit/dbus/index.js";
import { CalculatorDbus, CalculatorEmitter, registerCalculator } from "../../examples/demo/generated/org.novade.demo.js";
import { createCalculator } from "../../examples/demo/calculator-service.js";
import { compileOrThrow, readSources } from "../generator/ts/helpers/generate.js";
import { compareDbusXml } from "../helpers/semantic-xml.js";
import { missingDependency, runTool } from "../helpers/system-deps.js";
import { startPrivateBus, type PrivateBus } from "./connection-bus.js";

const NAME = "org.novade.demo.Calculator";
const PATH = "/org/novade/demo/Calculator";
const IFACE = "org.novade.demo.Calculator";

let bus: PrivateBus;
let conn: DbusConnection;
let port: DbusServerPort;

beforeAll(async () => {
  bus = await startPrivateBus();
  conn = await DbusConnection.connect({ address: bus.address, timeoutMs: 10_000 });
  port = await exportService(conn, { interfaces: [CalculatorDbus], name: NAME });
  registerCalculator(port, createCalculator(new CalculatorEmitter(port)));
});

afterAll(async () => {
  await port?.close();
  await conn?.close();
  await bus?.stop();
});

const gdbus = (...args: string[]) => runTool("gdbus", [...args], { env: bus.env, timeout: 20_000 });
const gdbusCall = (method: string, ...args: string[]) =>
  gdbus("call", "--session", "--dest", NAME, "--object-path", PATH, "--method", `${IFACE}.${method}`, ...args);
const busctl = (...args: string[]) => runTool("busctl", [`--address=${bus.address}`, "--no-pager", ...args], { timeout: 20_000 });

/** The interfaces nova-gen generates for the demo, as the D-Bus emitter writes them. */
async function generatedXml(): Promise<string> {
  const model = compileOrThrow(readSources(["examples/demo/demo.nidl"]));
  const out = await emitDbusXml(model, { runtimeImport: "unused" });
  return out.files[0]!.content;
}

describe("the demo Calculator served on D-Bus", () => {
  it("takes its bus name", () => {
    expect(port.nameState).toBe("primary");
  });

  it("introspects (gdbus introspect --xml) as exactly the generated interface, plus the standard ones", async () => {
    const r = await gdbus("introspect", "--session", "--dest", NAME, "--object-path", PATH, "--xml");
    expect(r.code, r.output).toBe(0);
    for (const std of ["Introspectable", "Peer", "Properties"]) expect(r.output).toContain(`<interface name="org.freedesktop.DBus.${std}">`);
    const ours = r.output.replace(/<interface name="org\.freedesktop\.DBus\.[A-Za-z]+">[\s\S]*?<\/interface>/g, "");
    expect(compareDbusXml(ours, await generatedXml())).toEqual([]);
    // The intermediate nodes lead to the object (gdbus introspect --recurse, busctl tree).
    const root = await gdbus("introspect", "--session", "--dest", NAME, "--object-path", "/org/novade", "--xml");
    expect(root.output).toContain('<node name="demo"/>');
    const tree = await busctl("tree", NAME);
    expect(tree.output).toContain(PATH);
  });

  it("answers gdbus call for every method", async () => {
    const results = [
      await gdbusCall("add", "2", "3.5"),
      await gdbusCall("divide", "9", "3"),
      await gdbusCall("echo", "héllo"),
      await gdbusCall("slow", "5"),
      await gdbusCall("history"),
      await gdbusCall("reset"),
      await gdbusCall("history"),
    ];
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(results.map((r) => r.output.trim())).toEqual([
      "(5.5,)",
      "(3.0,)",
      "('héllo',)",
      "(uint32 5,)",
      "([('add', 5.5), ('divide', 3.0)],)",
      "()",
      "(@a(sd) [],)",
    ]);
  });

  it("answers busctl call for every method", async () => {
    const outputs: string[] = [];
    for (const args of [["add", "dd", "1", "2"], ["divide", "dd", "1", "4"], ["echo", "s", "a b"], ["slow", "u", "1"], ["history"], ["reset"]]) {
      const r = await busctl("call", NAME, PATH, IFACE, ...args);
      expect(r.code, r.output).toBe(0);
      outputs.push(r.output.trim());
    }
    expect(outputs).toEqual(["d 3", "d 0.25", 's "a b"', "u 1", 'a(sd) 2 "add" 3 "divide" 0.25', ""]);
  });

  it("sends the declared error as its D-Bus error", async () => {
    const g = await gdbusCall("divide", "7", "0");
    expect(g.code).not.toBe(0);
    // GDBus reads an error's message only from a body of exactly (s); it names the error all the same.
    expect(g.output).toContain("GDBus.Error:org.novade.demo.Error.DivisionByZero:");
    const b = await busctl("call", NAME, PATH, IFACE, "divide", "dd", "7", "0");
    expect(b.code).not.toBe(0);
    expect(b.output).toContain("cannot divide 7 by zero");
    // libdbus (dbus-send) reads the message from the first field of the (message, dividend) body.
    const raw = await runTool("dbus-send", [`--bus=${bus.address}`, "--print-reply", `--dest=${NAME}`, PATH, `${IFACE}.divide`, "double:7", "double:0"], { timeout: 20_000 });
    expect(raw.output).toMatch(/Error org\.novade\.demo\.Error\.DivisionByZero: cannot divide 7 by zero/);
  });

  it("reports bad arguments and unknown members with the standard D-Bus errors", async () => {
    const bad = await busctl("call", NAME, PATH, IFACE, "add", "s", "x");
    expect(bad.output).toMatch(/does not match expected type|Invalid/i);
    const unknown = await gdbusCall("nope");
    expect(unknown.output).toContain("org.freedesktop.DBus.Error.UnknownMethod");
    const ping = await gdbus("call", "--session", "--dest", NAME, "--object-path", PATH, "--method", "org.freedesktop.DBus.Peer.Ping");
    expect(ping.code, ping.output).toBe(0);
  });

  it("serves the property to busctl get-property and Properties.GetAll", async () => {
    await gdbusCall("reset");
    await gdbusCall("add", "1", "1");
    const r = await busctl("get-property", NAME, PATH, IFACE, "count");
    expect(r.output.trim()).toBe("u 1");
    const all = await gdbusCall("add", "0", "0").then(() =>
      gdbus("call", "--session", "--dest", NAME, "--object-path", PATH, "--method", "org.freedesktop.DBus.Properties.GetAll", IFACE),
    );
    expect(all.output.trim()).toBe("({'count': <uint32 2>},)");
    const ro = await busctl("set-property", NAME, PATH, IFACE, "count", "u", "5");
    expect(ro.code).not.toBe(0);
  });

  it("is seen by gdbus monitor: the computed signal and PropertiesChanged", async () => {
    const monitor = spawn("gdbus", ["monitor", "--session", "--dest", NAME], { env: bus.env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const spawned = new Promise<void>((resolve, reject) => {
      monitor.once("spawn", resolve);
      monitor.once("error", (e: NodeJS.ErrnoException) => reject(e.code === "ENOENT" ? missingDependency("gdbus") : e));
    });
    monitor.stdout.on("data", (d: Buffer) => (out += d.toString()));
    try {
      await spawned;
      // gdbus monitor prints its banner once its match rules are in place.
      await waitFor(() => out.includes("Monitoring signals"), 15_000);
      await gdbusCall("reset");
      await gdbusCall("add", "20", "22");
      await waitFor(() => out.includes("computed") && out.includes("{'count': <uint32 1>}"), 15_000);
      expect(out).toContain(`${PATH}: ${IFACE}.computed (('add', 42.0),)`);
      expect(out).toContain(`${PATH}: org.freedesktop.DBus.Properties.PropertiesChanged ('${IFACE}', {'count': <uint32 1>}, @as [])`);
    } finally {
      monitor.kill("SIGTERM");
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}
