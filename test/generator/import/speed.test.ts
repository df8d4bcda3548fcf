/**
 * Speed acceptance: import + check over the whole corpus (~90 files) under 10 s on this machine.
 * Measured in-process around reading, importing and compiling (what `nova-gen import` + `nova-gen check`
 * do after start-up); the bound is the issue's, the real figure is printed.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile } from "../../../generator/index.js";
import { importDbus } from "../../../generator/import/dbus.js";
import { importWayland } from "../../../generator/import/wayland.js";
import { dbusCorpus, waylandCorpus } from "../../helpers/corpus.js";

describe("corpus speed", () => {
  it("imports and checks the whole corpus in under 10 s", () => {
    const t0 = performance.now();
    const wl = waylandCorpus().map((path) => ({ path, text: readFileSync(path, "utf8") }));
    const db = dbusCorpus().map((path) => ({ path, text: readFileSync(path, "utf8") }));
    const imported = [...importWayland(wl).files, ...importDbus(db).files];
    const t1 = performance.now();
    const result = compile(imported.map((f) => ({ path: f.path, text: f.text })));
    const t2 = performance.now();
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(imported.length).toBe(wl.length + db.length);
    console.log(`speed: ${wl.length + db.length} files: read+import ${(t1 - t0).toFixed(0)} ms, check ${(t2 - t1).toFixed(0)} ms, total ${(t2 - t0).toFixed(0)} ms`);
    expect(t2 - t0).toBeLessThan(10_000);
  }, 30_000);
});
