/**
 * File-system edge of the import, compat and fmt commands: expand directories, read texts, write outputs.
 * Paths are kept as the user gave them (relative stays relative) so diagnostics and outputs are stable.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SourceFile } from "../index.js";

/** Expands files and directories (recursively, sorted) into files whose name ends with one of `exts`. */
export function expandInputs(paths: readonly string[], exts: readonly string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (exts.some((e) => name.endsWith(e))) files.push(p);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      missing.push(p);
      continue;
    }
    if (st.isDirectory()) walk(p);
    else files.push(p);
  }
  return { files, missing };
}

/** Reads files as UTF-8 sources. */
export function readSources(paths: readonly string[]): SourceFile[] {
  return paths.map((path) => ({ path, text: readFileSync(path, "utf8") }));
}

/** Writes `text` to `dir/name`, creating `dir`. */
export function writeOutput(dir: string, name: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Where commands print; tests pass their own. */
export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** The process's stdout/stderr. */
export const processIo: CommandIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};
