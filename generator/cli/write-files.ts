/**
 * Writes generated files under the output directory: refuses paths that
 * would escape it, creates folders, and leaves files whose content is
 * unchanged untouched (so watchers and build tools see no spurious changes).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, normalize } from "node:path";
import type { GeneratedFile } from "../emit/types.js";

/** What was written. */
export interface WriteSummary {
  written: string[];
  unchanged: string[];
  rejected: string[];
}

/** Writes `files` below `outDir`. */
export function writeGeneratedFiles(outDir: string, files: readonly GeneratedFile[]): WriteSummary {
  const summary: WriteSummary = { written: [], unchanged: [], rejected: [] };
  for (const f of files) {
    const rel = normalize(f.path);
    if (isAbsolute(f.path) || rel.startsWith("..") || f.path.includes("\\")) {
      summary.rejected.push(f.path);
      continue;
    }
    const target = join(outDir, rel);
    let old: string | undefined;
    try {
      old = readFileSync(target, "utf8");
    } catch {
      old = undefined;
    }
    if (old === f.content) {
      summary.unchanged.push(f.path);
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.content);
    summary.written.push(f.path);
  }
  return summary;
}
