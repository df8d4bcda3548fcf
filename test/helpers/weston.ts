/**
 * The real Wayland peers of the tests: weston headless as a server for our client, and
 * wayland-info as a client of any server (ours or weston). Everything runs in a private 0700
 * XDG_RUNTIME_DIR made for the test and is stopped by the PID the test started, never by name.
 * A tool that is not installed fails with one line naming its Debian package (system-deps.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
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
  /** Its XDG_RUNTIME_DIR (removed by {@link Weston.stop} when startWeston made it). */
  readonly runtimeDir: string;
  /** The absolute path of its display socket: usable as WAYLAND_DISPLAY from anywhere. */
  readonly socketPath: string;
  /** Its log so far (for failure messages). */
  log(): string;
  /** SIGTERM to its PID (SIGKILL after `graceMs`), waits for the exit, removes a runtime dir it made. */
  stop(graceMs?: number): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Options of {@link startWeston}. */
export interface WestonOptions {
  /** An existing runtime dir to use (then left in place by stop); default a fresh private one. */
  readonly runtimeDir?: string;
  /** Its socket name; default `wayland-nova`. */
  readonly socket?: string;
  /** How long to wait for the socket (generous: the machine is loaded). */
  readonly timeoutMs?: number;
  /** Variables to add to (or override in) weston's environment, e.g. PATH. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Starts `weston --backend=headless-backend.so` (Weston 10's spelling) in a private runtime dir
 * and waits until its socket exists. Rejects with weston's log when it exits first (say, because
 * another server holds the display's lock) or never listens.
 */
export async function startWeston(options: WestonOptions = {}): Promise<Weston> {
  const ownDir = options.runtimeDir === undefined;
  const runtimeDir = options.runtimeDir ?? privateRuntimeDir("nova-weston-");
  const socket = options.socket ?? "wayland-nova";
  const timeoutMs = options.timeoutMs ?? 30_000;
  const socketPath = join(runtimeDir, socket);
  const logPath = join(runtimeDir, `weston-${socket}.log`);
  const removeDir = (): void => {
    if (ownDir) rmSync(runtimeDir, { recursive: true, force: true });
  };
  const args = ["--backend=headless-backend.so", `--socket=${socket}`, "--no-config", "--idle-time=0", `--log=${logPath}`];
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, XDG_RUNTIME_DIR: runtimeDir };
  delete env.WAYLAND_DISPLAY;
  delete env.WAYLAND_SOCKET;
  // A socket already there (another server's) does not count as weston's: wait for a new inode.
  const inode = (): number | undefined => statSync(socketPath, { throwIfNoEntry: false })?.ino;
  const before = inode();
  const child = spawn("weston", args, { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  const log = (): string => `${existsSync(logPath) ? readFileSync(logPath, "utf8") : ""}${stderr}`;
  const cleanup = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, "SIGKILL");
    await exited(child);
    removeDir();
  };
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once("spawn", () => resolve(undefined));
    child.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ENOENT" ? missingDependency("weston") : e));
  });
  if (spawned !== undefined) {
    removeDir();
    throw spawned;
  }
  const deadline = Date.now() + timeoutMs;
  for (let now = inode(); now === undefined || now === before; now = inode()) {
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
      removeDir();
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

