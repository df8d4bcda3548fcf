/**
 * Runs the real validators on generated XML: gdbus-codegen and
 * shared/tools/dbus-xml-validate.py for D-Bus; wayland-scanner -s in all three
 * modes plus gcc on what it generates for Wayland (the scanner alone accepts
 * duplicates that only the C compiler catches). Every non-zero exit is a rejection.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runTool } from "../../helpers/system-deps.js";

/** A tool's verdict on one file. */
export interface ToolRun {
  tool: string;
  file: string;
  code: number;
  output: string;
}

/** A missing tool (or python3-gi) rejects with one line naming its Debian package; see test/helpers/system-deps.ts. */
function run(cmd: string, args: readonly string[], cwd?: string): Promise<{ code: number; output: string }> {
  return runTool(cmd, args, { cwd, timeout: 60_000 });
}

/** The repository root, found from this file (works from test/ and dist/test/). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) dir = dirname(dir);
  return dir;
}

/** `../shared/tools/dbus-xml-validate.py` beside the repository. */
export function dbusValidator(): string {
  return resolve(repoRoot(), "..", "shared", "tools", "dbus-xml-validate.py");
}

/** gdbus-codegen (into a fresh folder, created first) and the shared validator, on each file. */
export async function checkDbusXml(files: readonly string[]): Promise<ToolRun[]> {
  const out = mkdtempSync(join(tmpdir(), "b1-gdbus-"));
  const runs: ToolRun[] = [];
  try {
    for (const [i, f] of files.entries()) {
      const dir = join(out, String(i));
      mkdirSync(dir, { recursive: true });
      const codegen = await run("gdbus-codegen", ["--generate-c-code", join(dir, "x"), "--c-namespace", "Nova", f]);
      runs.push({ tool: "gdbus-codegen", file: f, ...codegen });
    }
    // The validator takes every file in one process (python start-up dominates); it names each file it reports.
    const v = await run("/usr/bin/python3", [dbusValidator(), ...files]);
    runs.push({ tool: "dbus-xml-validate.py", file: files.join(" "), ...v });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return runs;
}

/** wayland-scanner -s client-header / server-header / private-code, then gcc -c on the code and on each header. */
export async function checkWaylandXml(files: readonly string[]): Promise<ToolRun[]> {
  const out = mkdtempSync(join(tmpdir(), "b1-wl-"));
  const runs: ToolRun[] = [];
  try {
    for (const [i, f] of files.entries()) {
      const stem = `p${i}-${basename(f, ".xml")}`;
      const client = join(out, `${stem}-client.h`);
      const server = join(out, `${stem}-server.h`);
      const code = join(out, `${stem}-code.c`);
      for (const [mode, target] of [["client-header", client], ["server-header", server], ["private-code", code]] as const) {
        const r = await run("wayland-scanner", ["-s", mode, f, target]);
        runs.push({ tool: `wayland-scanner -s ${mode}`, file: f, ...r });
      }
      const useClient = join(out, `${stem}-use-client.c`);
      const useServer = join(out, `${stem}-use-server.c`);
      writeFileSync(useClient, `#include "${basename(client)}"\n`);
      writeFileSync(useServer, `#include "${basename(server)}"\n`);
      for (const src of [code, useClient, useServer]) {
        const r = await run("gcc", ["-c", "-Wall", "-Werror=implicit-function-declaration", src, "-o", `${src}.o`], out);
        runs.push({ tool: `gcc -c ${basename(src)}`, file: f, ...r });
      }
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return runs;
}

/** Runs that failed, formatted for an assertion message. */
export function failures(runs: readonly ToolRun[]): string[] {
  return runs.filter((r) => r.code !== 0).map((r) => `${r.tool} ${r.file} → exit ${r.code}\n${r.output}`);
}
