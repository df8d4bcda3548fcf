/**
 * The system tools and files the tests use, and the Debian package behind each one, read from
 * scripts/debian-packages.txt (the list `npm run setup` installs). A missing tool or file is a test
 * FAILURE whose message is one line naming the package to install, never a skip.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** One line of scripts/debian-packages.txt. */
export interface DebianPackage {
  readonly name: string;
  /** Commands, absolute paths, or `python3:<module>`. */
  readonly provides: readonly string[];
}

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) dir = dirname(dir);
  return dir;
}

let table: readonly DebianPackage[] | undefined;

/** The packages of scripts/debian-packages.txt, in file order. */
export function debianPackages(): readonly DebianPackage[] {
  table ??= readFileSync(join(repoRoot(), "scripts", "debian-packages.txt"), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"))
    .map((line) => {
      const [name, provides] = line.trim().split(/\s+/);
      return { name: name!, provides: (provides ?? "").split(",").filter((p) => p !== "") };
    });
  return table;
}

/**
 * The package that provides `what`: a command (`wayland-scanner`), a path (a file under a listed
 * directory counts), or `python3:<module>`. Undefined when the list does not know it.
 */
export function debianPackageFor(what: string): string | undefined {
  for (const pkg of debianPackages()) {
    for (const p of pkg.provides) {
      if (p === what) return pkg.name;
      if (p.startsWith("/") && what.startsWith(`${p}/`)) return pkg.name;
    }
  }
  return undefined;
}

/** The one-line error for a missing tool or file: it names the Debian package and how to get it. */
export function missingDependency(what: string, pkg: string | undefined = debianPackageFor(what)): Error {
  const fix = pkg === undefined ? "it is not in scripts/debian-packages.txt; install it" : `install the Debian package ${pkg} (npm run setup does)`;
  return new Error(`missing ${what}: ${fix}`);
}

/** `path` when it exists; otherwise throws {@link missingDependency} naming `pkg` (default: looked up). */
export function requirePath(path: string, pkg?: string): string {
  if (!existsSync(path)) throw missingDependency(path, pkg ?? debianPackageFor(path));
  return path;
}

/** A finished tool run: its exit code (1 when killed) and stdout followed by stderr. */
export interface ToolResult {
  readonly code: number;
  readonly output: string;
}

/** Options of {@link runTool}. */
export interface RunToolOptions {
  readonly cwd?: string;
  readonly timeout?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs a tool to completion. A non-zero exit is a result (the tool rejected its input); a tool that
 * is not installed, or a Python tool whose module is missing, rejects with {@link missingDependency}
 * instead, so a test fails with one line naming the package rather than with every file "rejected".
 */
export function runTool(cmd: string, args: readonly string[], options: RunToolOptions = {}): Promise<ToolResult> {
  return new Promise((done, fail) => {
    execFile(cmd, [...args], { encoding: "utf8", maxBuffer: 64 << 20, ...options }, (err, stdout, stderr) => {
      if ((err as NodeJS.ErrnoException | null)?.code === "ENOENT") {
        fail(missingDependency(cmd));
        return;
      }
      const output = `${stdout}${stderr}`;
      const module = /ModuleNotFoundError: No module named '([\w.]+)'/.exec(output)?.[1]?.split(".")[0];
      if (module !== undefined && debianPackageFor(`python3:${module}`) !== undefined) {
        fail(missingDependency(`python module ${module}`, debianPackageFor(`python3:${module}`)));
        return;
      }
      const raw = err === null ? 0 : (err as { code?: unknown }).code;
      done({ code: typeof raw === "number" && raw !== 0 ? raw : err === null ? 0 : 1, output });
    });
  });
}
