/**
 * Test helpers for the TypeScript and schema emitters: compile NIDL text to a
 * model (failing loudly on diagnostics), write generated files into a
 * gitignored temp directory inside the repo (so `zod` and the runtime resolve
 * from this checkout), and type-check them with the project's `tsc`.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compile, type SourceFile } from "../../../../generator/index.js";
import type { GeneratedFile } from "../../../../generator/emit/types.js";
import type { Model } from "../../../../generator/model.js";
import { renderCompact } from "../../../../generator/diagnostics.js";

/** The repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

/** Set `UPDATE_GOLDEN=1` to rewrite committed expected outputs instead of comparing. */
export const UPDATE_GOLDEN = process.env["UPDATE_GOLDEN"] === "1";

/** Compiles sources; throws with the rendered diagnostics when there are errors. */
export function compileOrThrow(sources: readonly SourceFile[]): Model {
  const result = compile(sources, {
    host: { readFile: (path) => readOptional(join(REPO_ROOT, path)) },
  });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    throw new Error(`NIDL errors:\n${renderCompact(errors, (file) => result.sources.get(file))}`);
  }
  return result.model;
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Reads `.nidl` files (paths relative to the repo root) as compiler sources. */
export function readSources(paths: readonly string[]): SourceFile[] {
  return paths.map((path) => ({ path, text: readFileSync(join(REPO_ROOT, path), "utf8") }));
}

/** Every `.nidl` below a repo-relative directory, sorted (empty when it does not exist). */
export function listNidl(directory: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(REPO_ROOT, directory), { recursive: true }).map(String);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith(".nidl"))
    .sort()
    .map((name) => join(directory, name).split("\\").join("/"));
}

/** A fresh, gitignored temp directory `test/.tmp-<name>/` (removed first if left over). */
export function freshTempDir(name: string): string {
  const dir = join(REPO_ROOT, "test", `.tmp-${name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes generated files below `dir`. */
export function writeFiles(dir: string, files: readonly GeneratedFile[]): void {
  for (const file of files) {
    const path = join(dir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
  }
}

/**
 * A runtime module for generated code that re-exports only the runtime's
 * generated-code surface, so a type check of generated files does not also
 * check (and fail on) unrelated runtime modules other engineers are editing.
 */
export function writeRuntimeShim(dir: string): string {
  const runtimeDir = relative(dir, join(REPO_ROOT, "runtime")).split("\\").join("/");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "runtime-shim.ts"),
    [
      `export * from "${runtimeDir}/errors.js";`,
      `export * from "${runtimeDir}/rpc/contract.js";`,
      `export * from "${runtimeDir}/rpc/stub-support.js";`,
      `export * from "${runtimeDir}/rpc/event-support.js";`,
      "",
    ].join("\n"),
  );
  return "./runtime-shim.js";
}

/** Outcome of a `tsc` run. */
export interface TscResult {
  readonly ok: boolean;
  readonly output: string;
}

/**
 * Type-checks `files` (relative to `dir`) with `tsc --strict`; with
 * `declarationDir`, also writes their `.d.ts` there, mirroring the repository
 * layout (the runtime they import is outside `dir`).
 */
export function tscStrict(dir: string, files: readonly string[], declarationDir?: string): Promise<TscResult> {
  const compilerOptions: Record<string, unknown> = {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2022"],
    types: ["node"],
    strict: true,
    // The strictest settings a consumer might compile generated code with.
    noImplicitOverride: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    noImplicitReturns: true,
    noUncheckedIndexedAccess: true,
    // (exactOptionalPropertyTypes / noPropertyAccessFromIndexSignature also pass today, but they would
    // hold the runtime files this check pulls in to a stricter standard than the project's own.)
    verbatimModuleSyntax: true,
    isolatedModules: true,
    skipLibCheck: true,
  };
  if (declarationDir === undefined) compilerOptions["noEmit"] = true;
  else Object.assign(compilerOptions, { declaration: true, emitDeclarationOnly: true, outDir: declarationDir, rootDir: relative(dir, REPO_ROOT) || "." });
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files }, null, 2));
  const tsc = join(REPO_ROOT, "node_modules", ".bin", "tsc");
  return new Promise((resolvePromise) => {
    execFile(tsc, ["-p", join(dir, "tsconfig.json")], { cwd: REPO_ROOT, timeout: 120_000 }, (error, stdout, stderr) => {
      resolvePromise({ ok: error === null, output: `${stdout}${stderr}` });
    });
  });
}

/** Removes comments from TypeScript text (for scanning declarations for `any`). */
export function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'])\/\/.*$/gm, "$1");
}
