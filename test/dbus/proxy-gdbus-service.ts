/**
 * The demo Calculator written with python3-gi GDBus (fixtures/proxy-gdbus-calculator.py),
 * started on a private bus for the proxy tests and stopped by its PID. Its interface is
 * the XML nova-gen writes for examples/demo; everything else is GLib's.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { emitDbusXml } from "../../generator/emit/dbus/index.js";
import { CalculatorDbus } from "../../examples/demo/generated/org.novade.demo.js";
import { compileOrThrow, readSources } from "../generator/ts/helpers/generate.js";
import { missingDependency } from "../helpers/system-deps.js";
import type { PrivateBus } from "./connection-bus.js";

/** The bus name the calculators take. */
export const CALCULATOR_NAME = "org.novade.demo.Calculator";
const PYTHON = "/usr/bin/python3";
const SCRIPT = join(import.meta.dirname, "fixtures", "proxy-gdbus-calculator.py");

/** A service under test: started on the bus, counting its property reads where it can, stopped after. */
export interface Service {
  /** How many times the service was asked for `count` (undefined: not observable). */
  readonly propertyReads: (() => number) | undefined;
  stop(): Promise<void>;
}

/** The demo's D-Bus XML as nova-gen writes it. */
export async function calculatorXml(): Promise<string> {
  const model = compileOrThrow(readSources(["examples/demo/demo.nidl"]));
  return (await emitDbusXml(model, { runtimeImport: "unused" })).files[0]!.content;
}

/** Starts the GDBus calculator on `bus`; resolves once it owns its name. */
export async function startGdbusCalculator(bus: PrivateBus): Promise<Service> {
  const xml = join(bus.dir, "calculator.xml");
  writeFileSync(xml, await calculatorXml());
  const child: ChildProcess = spawn(PYTHON, [SCRIPT, bus.address, xml, CALCULATOR_NAME, CalculatorDbus.path], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the GDBus service did not start within 15 s: ${err}`)), 15_000);
    child.once("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e.code === "ENOENT" ? missingDependency(PYTHON) : e);
    });
    child.once("exit", () => {
      clearTimeout(timer);
      reject(/No module named 'gi'/.test(err) ? missingDependency("python3:gi") : new Error(`the GDBus service exited: ${err}`));
    });
    child.stdout!.on("data", (d: Buffer) => {
      if (d.toString().includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    propertyReads: undefined,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
