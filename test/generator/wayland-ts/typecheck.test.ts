/**
 * The `wayland-ts` emitter's output type-checks under the strictest settings a consumer might use
 * (`tscStrict`: strict, noUnusedLocals/Parameters, noUncheckedIndexedAccess, verbatimModuleSyntax,
 * isolatedModules) against the real runtime base classes (runtime/wayland/proxy.ts through bindings-support.ts), for the whole
 * Wayland corpus (wayland.xml and every wayland-protocols file, imported together so that references
 * between protocols become imports between modules) plus idl/shell.nidl, whose `@external` core
 * interfaces must resolve to the corpus's `wayland.ts`.
 */
import { readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emitWaylandTs } from "../../../generator/emit/wayland-ts/index.js";
import type { GeneratedFile } from "../../../generator/emit/types.js";
import { compile } from "../../../generator/index.js";
import { importWayland } from "../../../generator/import/wayland.js";
import { renderCompact } from "../../../generator/diagnostics.js";
import { waylandCorpus } from "../../helpers/corpus.js";
import { REPO_ROOT, compileOrThrow, freshTempDir, readSources, stripComments, tscStrict, writeFiles } from "../ts/helpers/generate.js";

const dir = freshTempDir("wayland-ts-typecheck");
let keep = false;
afterAll(() => {
  if (!keep) rmSync(dir, { recursive: true, force: true });
});

/** From `<dir>/wayland/<protocol>.ts` to the real runtime module the bindings import. */
const waylandRuntimeImport = `${relative(join(dir, "wayland"), join(REPO_ROOT, "runtime", "wayland")).split("\\").join("/")}/bindings-support.js`;
const options = { runtimeImport: "unused-by-wayland-ts", waylandRuntimeImport };

async function corpusModules(): Promise<GeneratedFile[]> {
  const xml = waylandCorpus().map((path) => ({ path, text: readFileSync(path, "utf8") }));
  const imported = importWayland(xml);
  const compiled = compile(imported.files.map((f) => ({ path: f.path, text: f.text })));
  const errors = compiled.diagnostics.filter((d) => d.severity === "error");
  expect(renderCompact(errors, (f) => compiled.sources.get(f))).toBe("");
  const { files, diagnostics } = await emitWaylandTs(compiled.model, options);
  // Imported together, every cross-protocol reference has a module: no error, no warning.
  expect(diagnostics.filter((d) => d.severity !== "note")).toEqual([]);
  return files;
}

describe("wayland-ts output type-checks strictly", () => {
  it("for the whole Wayland corpus and idl/shell.nidl, with no `any`", async () => {
    const files = await corpusModules();
    expect(files.map((f) => f.path)).toContain("wayland/wayland.ts");
    expect(files.map((f) => f.path)).toContain("wayland/xdg_shell.ts");
    expect(files.length).toBeGreaterThan(30);
    const shell = await emitWaylandTs(compileOrThrow(readSources(["idl/shell.nidl"])), options);
    expect(shell.files.map((f) => f.path)).toEqual(["wayland/nova_shell_v1.ts"]);
    expect(shell.files[0]?.content).toContain('import * as $wayland from "./wayland.js";');
    const all = [...files, ...shell.files];
    writeFiles(dir, all);
    const result = await tscStrict(dir, all.map((f) => f.path));
    keep = !result.ok;
    expect(result.output).toBe("");
    expect(result.ok).toBe(true);
    for (const f of all) expect(stripComments(f.content), f.path).not.toMatch(/\bany\b/);
  }, 180_000);
});
