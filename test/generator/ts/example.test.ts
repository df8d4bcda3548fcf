/**
 * The committed example: test/generator/ts/example/example.nidl and its
 * generated TypeScript and registry entries under example/generated/. The
 * client/server and registry tests import those files, so they must be
 * exactly what the emitters produce today (`UPDATE_GOLDEN=1` rewrites them).
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emitSchema } from "../../../generator/emit/schema/index.js";
import { emitTypeScript } from "../../../generator/emit/ts/index.js";
import type { GeneratedFile } from "../../../generator/emit/types.js";
import { REPO_ROOT, UPDATE_GOLDEN, compileOrThrow, readSources, writeFiles } from "./helpers/generate.js";

const EXAMPLE = "test/generator/ts/example";
const GENERATED = join(REPO_ROOT, EXAMPLE, "generated");
/** From example/generated/ to runtime/generated.js (the entry for generated code). */
const RUNTIME_IMPORT = "../../../../../runtime/generated.js";

async function generateExample(): Promise<GeneratedFile[]> {
  const model = compileOrThrow(readSources([`${EXAMPLE}/example.nidl`]));
  const options = { runtimeImport: RUNTIME_IMPORT };
  const ts = await emitTypeScript(model, options);
  const schema = await emitSchema(model, options);
  expect(ts.diagnostics).toEqual([]);
  expect(schema.diagnostics).toEqual([]);
  return [...ts.files, ...schema.files];
}

function committedFiles(): string[] {
  return readdirSync(GENERATED, { recursive: true })
    .map(String)
    .filter((name) => name.endsWith(".ts") || name.endsWith(".json"))
    .map((name) => name.split("\\").join("/"))
    .sort();
}

describe("committed example output", () => {
  it("carries the IDL's docs and deprecations into TSDoc", async () => {
    const ts = (await generateExample()).find((file) => file.path === "org.novade.example.ts")?.content ?? "";
    expect(ts).toContain("/** Stores an entry; returns its new revision. */");
    expect(ts).toMatch(/Old name of `get`\.\n\s+\* @throws \{@link NotFound\} when the server reports it\.\n\s+\* @deprecated use get\n\s+\*\/\n\s+fetch\(key: string/);
    expect(ts).toContain("/** Shown first. */");
    expect(ts).toMatch(/@since 2\n\s+\*\/\n\s+setSecretProperty\(value: string/);
  });

  it("is exactly what the TypeScript and schema emitters generate", async () => {
    const files = await generateExample();
    if (UPDATE_GOLDEN) writeFiles(GENERATED, files);
    expect(committedFiles()).toEqual(files.map((file) => file.path).sort());
    for (const file of files) {
      expect(readFileSync(join(GENERATED, file.path), "utf8"), file.path).toBe(file.content);
    }
  });
});
