/**
 * Golden-file plumbing: compile a fixture folder (paths relative to it, so
 * preambles are stable), read and write expected trees, and the
 * UPDATE_GOLDEN=1 switch that rewrites expectations for review as a diff.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { compile, type CompileResult } from "../../../generator/index.js";

/** True when goldens should be rewritten instead of compared. */
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === "1";

/** Compiles `entry` inside `dir`, reading imports from `dir`. */
export function compileFixture(dir: string, entry: string): CompileResult {
  const host = {
    readFile(path: string): string | undefined {
      const p = join(dir, path);
      return existsSync(p) ? readFileSync(p, "utf8") : undefined;
    },
  };
  return compile([{ path: entry, text: readFileSync(join(dir, entry), "utf8") }], { host });
}

/** Every file under `dir` as relative path → content (forward slashes, sorted). */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, prefix: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const rel = prefix === "" ? name : `${prefix}/${name}`;
      if (statSync(p).isDirectory()) walk(p, rel);
      else out.set(rel, readFileSync(p, "utf8"));
    }
  };
  if (existsSync(dir)) walk(dir, "");
  return out;
}

/** Replaces `dir` with exactly `files`. */
export function writeTree(dir: string, files: readonly { path: string; content: string }[]): void {
  rmSync(dir, { recursive: true, force: true });
  for (const f of files) {
    const p = join(dir, f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.content);
  }
  if (files.length === 0) mkdirSync(dir, { recursive: true });
}
