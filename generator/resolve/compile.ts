/**
 * Parse + resolve + check a program: loads imports (from the given sources or
 * through the host), parses every file, builds the symbol table and the model,
 * then runs the checks. Pure apart from `host.readFile`; never throws on bad input.
 */
import { posix } from "node:path";
import type * as A from "../ast.js";
import type { CompileOptions, CompileResult, SourceFile } from "../index.js";
import { error, sortDiagnostics, type Diagnostic } from "../diagnostics.js";
import { parseNidl } from "../parser/parse.js";
import { buildSymbolTable } from "./symbols.js";
import { createTypeResolver } from "./resolve-type.js";
import { buildModel } from "./build-package.js";
import type { BuildContext } from "./context.js";
import { runChecks } from "../check/run-checks.js";

/** Normalises a path for use as a file name in spans: forward slashes, no "./". */
export function normalizePath(p: string): string {
  const n = posix.normalize(p.replace(/\\/g, "/"));
  return n.startsWith("./") ? n.slice(2) : n;
}

/** Compiles sources into a model. */
export function compileSources(sources: readonly SourceFile[], options: CompileOptions): CompileResult {
  const diagnostics: Diagnostic[] = [];
  const texts = new Map<string, string>();
  for (const s of sources) texts.set(normalizePath(s.path), s.text);
  const parsed = new Map<string, A.NidlFile>();
  const imports = new Map<string, string[]>();
  const queue = [...texts.keys()].sort();
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (parsed.has(path)) continue;
    const text = texts.get(path)!;
    const r = parseNidl(text, path);
    diagnostics.push(...r.diagnostics);
    parsed.set(path, r.file);
    const targets: string[] = [];
    for (const imp of r.file.imports) {
      const target = normalizePath(posix.join(posix.dirname(path), imp.path.value));
      if (!texts.has(target)) {
        const t = options.host?.readFile(target);
        if (t === undefined) {
          diagnostics.push(error("NIDL2005", `cannot find imported file "${imp.path.value}" (looked for ${target})`, imp.path.span));
          continue;
        }
        texts.set(target, t);
      }
      targets.push(target);
      if (!parsed.has(target)) queue.push(target);
    }
    imports.set(path, targets);
  }
  const files = [...parsed.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const table = buildSymbolTable(files, imports, diagnostics);
  const ctx: BuildContext = {
    table,
    types: createTypeResolver(table, diagnostics),
    diagnostics,
    declarations: new Map(),
    constValues: new Map(),
  };
  const model = buildModel(ctx, files);
  runChecks(model, diagnostics);
  return { model, files, diagnostics: dedupe(sortDiagnostics(diagnostics)), sources: texts };
}

/** The same finding reached twice (e.g. a typedef expanded from two places) is reported once. */
function dedupe(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = `${d.code}|${d.span?.file}|${d.span?.start}|${d.span?.end}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
