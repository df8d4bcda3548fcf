/**
 * The real Wayland peers of the tests: weston headless as a server for our client, and
 * wayland-info as a client of any server (ours or weston). Everything runs in a private 0700
 * XDG_RUNTIME_DIR made for the test and is stopped by the PID the test started, never by name.
 * A tool that is not installed fails with one line naming its Debian package (system-deps.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { missingDependency, runTool } from "./system-deps.js";

/** A private runtime directory (mode 0700, as the XDG spec and libwayland's users expect). */
export function privateRuntimeDir(prefix = "nova-wl-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o700);
  return dir;
}

/** A running headless weston. */
export interface Weston {
  readonly pid: number;
  /** Its private XDG_RUNTIME_DIR (removed by {@link Weston.stop}). */
  readonly runtimeDir: string;
  /** The absolute path of its display socket: usable as WAYLAND_DISPLAY from anywhere. */
  readonly socketPath: string;
  /** Its log so far (for failure messages). */
  log(): string;
  /** SIGTERM to its PID (SIGKILL after `graceMs`), waits for the exit, removes the runtime dir. */
  stop(graceMs?: number): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/**
 * Starts `weston --backend=headless-backend.so` (Weston 10's spelling) on socket `wayland-nova`
 * in a fresh private runtime dir and waits until the socket exists (up to `timeoutMs`: generous,
 * the machine is loaded). Rejects with weston's log when it exits first or never listens.
 */
export async function startWeston(timeoutMs = 30_000): Promise<Weston> {
  const runtimeDir = privateRuntimeDir("nova-weston-");
  const socketPath = join(runtimeDir, "wayland-nova");
  const logPath = join(runtimeDir, "weston.log");
  const args = ["--backend=headless-backend.so", "--socket=wayland-nova", "--no-config", "--idle-time=0", `--log=${logPath}`];
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_RUNTIME_DIR: runtimeDir };
  delete env.WAYLAND_DISPLAY;
  delete env.WAYLAND_SOCKET;
  const child = spawn("weston", args, { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  const log = (): string => `${existsSync(logPath) ? readFileSync(logPath, "utf8") : ""}${stderr}`;
  const cleanup = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, "SIGKILL");
    await exited(child);
    rmSync(runtimeDir, { recursive: true, force: true });
  };
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once("spawn", () => resolve(undefined));
    child.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ENOENT" ? missingDependency("weston") : e));
  });
  if (spawned !== undefined) {
    rmSync(runtimeDir, { recursive: true, force: true });
    throw spawned;
  }
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(socketPath)) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      const why = Date.now() > deadline ? `did not listen within ${timeoutMs} ms` : `exited (${child.exitCode ?? child.signalCode})`;
      const text = log();
      await cleanup();
      throw new Error(`weston ${why}; its log:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    pid: child.pid!,
    runtimeDir,
    socketPath,
    log,
    async stop(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, "SIGTERM");
      const timer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, "SIGKILL");
      }, graceMs);
      await exited(child);
      clearTimeout(timer);
      rmSync(runtimeDir, { recursive: true, force: true });
    },
  };
}

/** One global as wayland-info printed it. */
export interface InfoGlobal {
  readonly interface: string;
  readonly version: number;
  readonly name: number;
}

/** What a wayland-info run gave. */
export interface InfoRun {
  readonly code: number;
  readonly globals: readonly InfoGlobal[];
  readonly output: string;
}

/** The `interface: 'x', version: n, name: m` lines of wayland-info's output, in order. */
export function parseWaylandInfo(output: string): InfoGlobal[] {
  const globals: InfoGlobal[] = [];
  for (const m of output.matchAll(/^interface: '([^']+)',\s*version:\s*(\d+),\s*name:\s*(\d+)/gm)) {
    globals.push({ interface: m[1]!, version: Number(m[2]), name: Number(m[3]) });
  }
  return globals;
}

/**
 * Runs wayland-info against the display socket at `socketPath` (absolute, so no XDG_RUNTIME_DIR
 * is needed or inherited) and parses the globals it lists. `debug` sets WAYLAND_DEBUG=1 (the wire
 * log goes to stderr, part of `output`).
 */
export async function waylandInfo(socketPath: string, options: { timeoutMs?: number; debug?: boolean } = {}): Promise<InfoRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, WAYLAND_DISPLAY: socketPath };
  delete env.XDG_RUNTIME_DIR;
  delete env.WAYLAND_SOCKET;
  if (options.debug === true) env.WAYLAND_DEBUG = "1";
  const r = await runTool("wayland-info", [], { env, timeout: options.timeoutMs ?? 30_000 });
  return { code: r.code, globals: parseWaylandInfo(r.output), output: r.output };
}

/** `interface version` lines, sorted: the format of `nova wayland globals`. */
export function globalLines(globals: readonly { interface: string; version: number }[]): string[] {
  return globals.map((g) => `${g.interface} ${g.version}`).sort();
}
