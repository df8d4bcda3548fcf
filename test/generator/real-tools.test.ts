/**
 * Every D-Bus and Wayland XML output passes the real tools: the golden
 * expectations (which the golden test proves equal to the emitters' output)
 * and a fresh generation of all of idl/.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "../../generator/index.js";
import { hasErrors } from "../../generator/diagnostics.js";
import { loadAndCompile } from "../../generator/cli/compile-inputs.js";
import { checkDbusXml, checkWaylandXml, failures, repoRoot } from "./support/real-tools.js";
import { readTree } from "./support/golden-io.js";

const root = repoRoot();
let tmp = "";
const dbusFiles: string[] = [];
const waylandFiles: string[] = [];

beforeAll(async () => {
  // Generation and the tools are slow on a loaded 2-core machine; timeouts below are generous on purpose.
  tmp = mkdtempSync(join(tmpdir(), "b1-real-"));
  const loaded = loadAndCompile([join(root, "idl")], root);
  if (!loaded.ok || hasErrors(loaded.result.diagnostics)) throw new Error("idl/ does not compile");
  const out = await generate(loaded.result.model, ["dbus", "wayland"], { runtimeImport: "novade-ipc/runtime" });
  for (const f of out.files) {
    const p = join(tmp, "idl", f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.content);
    (f.path.startsWith("dbus/") ? dbusFiles : waylandFiles).push(p);
  }
  const golden = join(root, "test", "generator", "golden");
  for (const [rel] of readTree(golden)) {
    if (/\/expected\/dbus\/.*\.xml$/.test(rel)) dbusFiles.push(join(golden, rel));
    if (/\/expected\/wayland\/.*\.xml$/.test(rel)) waylandFiles.push(join(golden, rel));
  }
}, 120_000);

afterAll(() => {
  if (tmp !== "") rmSync(tmp, { recursive: true, force: true });
});

describe("real tools accept every generated XML file", () => {
  it("has D-Bus and Wayland outputs from idl/ and the goldens", () => {
    expect(dbusFiles.filter((f) => f.startsWith(tmp)).length).toBe(3);
    expect(waylandFiles.filter((f) => f.startsWith(tmp)).length).toBe(1);
    expect(dbusFiles.length).toBeGreaterThanOrEqual(5);
    expect(waylandFiles.length).toBeGreaterThanOrEqual(3);
  });

  it("gdbus-codegen and dbus-xml-validate.py accept every D-Bus file", async () => {
    const runs = await checkDbusXml(dbusFiles);
    expect(failures(runs)).toEqual([]);
    expect(runs.length).toBe(dbusFiles.length + 1);
  }, 180_000);

  it("wayland-scanner -s (3 modes) and gcc accept every Wayland file", async () => {
    const runs = await checkWaylandXml(waylandFiles);
    expect(failures(runs)).toEqual([]);
    expect(runs.length).toBe(waylandFiles.length * 6);
  }, 180_000);
});

describe("the real tools are strict enough to trust", () => {
  it("rejects a broken D-Bus signature and a Wayland file with a bad element", async () => {
    const dir = mkdtempSync(join(tmpdir(), "b1-neg-"));
    try {
      const d = join(dir, "bad.xml");
      writeFileSync(d, '<node><interface name="a.B"><method name="M"><arg type="Q"/></method></interface></node>\n');
      const w = join(dir, "bad-wl.xml");
      writeFileSync(w, '<protocol name="x"><interface name="y" version="1"><request name="r"><bogus/></request></interface></protocol>\n');
      expect(failures(await checkDbusXml([d])).length).toBeGreaterThan(0);
      expect(failures(await checkWaylandXml([w])).length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
