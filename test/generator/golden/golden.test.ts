/**
 * Golden tests for every registered emitter: each folder here with an
 * `input.nidl` is compiled and run through every emitter of the registry; the
 * output must equal `expected/<target>/` byte for byte. New emitters join by
 * registering in generator/emit/index.ts.
 *
 * Update after an intended change with
 *   UPDATE_GOLDEN=1 npx vitest run test/generator/golden
 * and review the diff (git diff test/generator/golden).
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EMITTERS } from "../../../generator/emit/index.js";
import { hasErrors, renderCompact } from "../../../generator/diagnostics.js";
import { compileFixture, readTree, UPDATE_GOLDEN, writeTree } from "../support/golden-io.js";

const here = dirname(fileURLToPath(import.meta.url));
const features = readdirSync(here)
  .filter((d) => existsSync(join(here, d, "input.nidl")))
  .sort();

describe.each(features)("golden %s", (feature) => {
  const dir = join(here, feature);
  const compiled = compileFixture(dir, "input.nidl");

  it("compiles without errors", () => {
    const text = renderCompact(compiled.diagnostics.filter((d) => d.severity === "error"), (f) => compiled.sources.get(f));
    expect(text).toBe("");
    expect(hasErrors(compiled.diagnostics)).toBe(false);
  });

  it.each(EMITTERS.map((e) => e.target))("emitter %s matches expected/", async (target) => {
    const entry = EMITTERS.find((e) => e.target === target)!;
    const result = await entry.emit(compiled.model, { runtimeImport: "../runtime/index.js" });
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const expectedDir = join(dir, "expected", target);
    if (UPDATE_GOLDEN) writeTree(expectedDir, result.files);
    const expected = readTree(expectedDir);
    expect(result.files.map((f) => f.path).sort()).toEqual([...expected.keys()]);
    for (const f of result.files) expect(f.content, `${feature}/expected/${target}/${f.path}`).toBe(expected.get(f.path));
  }, 120_000);

  it("is deterministic: a second run gives the same bytes", async () => {
    const again = compileFixture(dir, "input.nidl");
    for (const e of EMITTERS) {
      const a = await e.emit(compiled.model, { runtimeImport: "../runtime/index.js" });
      const b = await e.emit(again.model, { runtimeImport: "../runtime/index.js" });
      expect(b.files).toEqual(a.files);
    }
  }, 120_000);
});
