/**
 * Batch runners for the real validators: wayland-scanner -s, gdbus-codegen and shared/tools/dbus-xml-validate.py.
 *
 * Two cores are shared by several engineers, so scanner runs use limited parallelism and the D-Bus tools
 * take every file in one process (falling back to one file at a time only to name the culprit).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runTool } from "./system-deps.js";

/** One rejected file and what the tool said. */
export interface ToolFailure {
  readonly file: string;
  readonly tool: string;
  readonly output: string;
}

interface RunResult {
  readonly code: number;
  readonly output: string;
}

/** A missing tool (or python3-gi) rejects with one line naming its Debian package; see system-deps.ts. */
function run(cmd: string, args: readonly string[]): Promise<RunResult> {
  return runTool(cmd, args);
}

async function pool<T>(items: readonly T[], limit: number, work: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The repository root (this file is test/helpers/…, compiled or not). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) dir = dirname(dir);
  return dir;
}

/** shared/tools/dbus-xml-validate.py, located as ../shared relative to the repo root. */
export function dbusValidatorPath(): string {
  const p = resolve(repoRoot(), "..", "shared", "tools", "dbus-xml-validate.py");
  if (!existsSync(p)) throw new Error(`D-Bus XML validator missing: ${p} (shared/ must sit beside the repository)`);
  return p;
}

/** Run `wayland-scanner -s` client-header, server-header and private-code on every file. */
export async function waylandScannerFailures(files: readonly string[], parallel = 2): Promise<ToolFailure[]> {
  const out = mkdtempSync(join(tmpdir(), "nova-scan-"));
  const failures: ToolFailure[] = [];
  try {
    const jobs = files.flatMap((f, i) => ["client-header", "server-header", "private-code"].map((mode) => ({ f, mode, target: join(out, `${i}-${mode}`) })));
    await pool(jobs, parallel, async ({ f, mode, target }) => {
      const r = await run("wayland-scanner", ["-s", mode, f, target]);
      if (r.code !== 0) failures.push({ file: f, tool: `wayland-scanner -s ${mode}`, output: r.output.trim() });
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return failures;
}

/** Run gdbus-codegen and the shared validator over all files at once; on failure find the culprits one by one. */
export async function dbusToolFailures(files: readonly string[]): Promise<ToolFailure[]> {
  if (files.length === 0) return [];
  const out = mkdtempSync(join(tmpdir(), "nova-gdbus-"));
  const validator = dbusValidatorPath();
  try {
    const codegen = (fs: readonly string[]): Promise<RunResult> => run("gdbus-codegen", ["--generate-c-code", join(out, "gen"), "--c-namespace", "Nova", ...fs]);
    const validate = (fs: readonly string[]): Promise<RunResult> => run("/usr/bin/python3", [validator, ...fs]);
    const failures: ToolFailure[] = [];
    const [all, valid] = await Promise.all([codegen(files), validate(files)]);
    if (all.code !== 0) {
      await pool(files, 2, async (f) => {
        const r = await codegen([f]);
        if (r.code !== 0) failures.push({ file: f, tool: "gdbus-codegen", output: r.output.trim() });
      });
      if (failures.length === 0) failures.push({ file: "(all files together)", tool: "gdbus-codegen", output: all.output.trim() });
    }
    if (valid.code !== 0) {
      const before = failures.length;
      await pool(files, 2, async (f) => {
        const r = await validate([f]);
        if (r.code !== 0) failures.push({ file: f, tool: "dbus-xml-validate.py", output: r.output.trim() });
      });
      if (failures.length === before) failures.push({ file: "(all files together)", tool: "dbus-xml-validate.py", output: valid.output.trim() });
    }
    return failures;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
