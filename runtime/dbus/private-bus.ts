/**
 * A private D-Bus bus for tests (our own and those of code built on this runtime), in the spirit of
 * GLib's GTestDBus: a `dbus-daemon --session --nofork` of your own, on a socket in a fresh 0700 temp
 * dir or on a random abstract name, never the session or system bus of the machine.
 *
 * Why these choices:
 * - `--print-address=1 --print-pid=1`: the daemon listens before it prints, so "both lines read" is
 *   "ready" (no polling of the socket), and the printed PID is what `stop` signals, so a test can
 *   never kill a daemon it did not start. With `--nofork` it is also the child we spawned; we check.
 * - `env` instead of setting `process.env` (GTestDBus calls setenv): children opt in, and parallel
 *   test files in one process do not fight over one variable.
 * - A live daemon is sent SIGTERM (and its dir removed) when this process exits, even by
 *   `process.exit` or an uncaught exception (GTestDBus runs a watcher process for the same reason),
 *   so a test run that forgets `stop` leaves no daemon behind. Only SIGKILL of this process escapes.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IPCError } from "../errors.js";
import { escapeValue } from "./address.js";

/** A running private dbus-daemon, from {@link startPrivateBus}. */
export interface PrivateBus {
  /** The address clients connect to, as the daemon printed it (`unix:path=…,guid=…` or `unix:abstract=…,guid=…`). */
  readonly address: string;
  /** The daemon's PID, as it printed it; `stop` signals this PID and no other. */
  readonly pid: number;
  /** The temp dir of this bus (the socket lives here for `listen: "path"`); removed by `stop`. */
  readonly dir: string;
  /**
   * `process.env` with `DBUS_SESSION_BUS_ADDRESS` set to this bus and `DBUS_STARTER_ADDRESS` /
   * `DBUS_STARTER_BUS_TYPE` removed: pass it to a child (`gdbus --session`, python3-gi, a service
   * under test) so its session bus is this one.
   */
  readonly env: NodeJS.ProcessEnv;
  /**
   * SIGTERM to {@link pid} (SIGKILL if it is still there after 3 s), waits for its exit, then
   * removes {@link dir}, or only the socket with `keepDir` (to start a new bus at the same address
   * with `startPrivateBus({ dir })`, e.g. to test reconnecting). Idempotent: later calls wait for
   * the same exit and do nothing more.
   */
  stop(options?: { readonly keepDir?: boolean }): Promise<void>;
}

/** Options of {@link startPrivateBus}. */
export interface PrivateBusOptions {
  /** How long to wait for the daemon's address and PID (default 15 s: a loaded machine is slow to spawn). */
  readonly timeoutMs?: number;
  /**
   * Where the daemon listens: `"path"` (default) `unix:path=<dir>/bus.sock`; `"abstract"` a random
   * Linux abstract name `unix:abstract=nova-bus-<hex>` (no file, no permissions: any local process
   * that knows the name can connect); or a function of the dir giving any listen address.
   */
  readonly listen?: "path" | "abstract" | ((dir: string) => string);
  /** Use this existing dir instead of a fresh one (a restarted bus at the same address); `stop` removes it too. */
  readonly dir?: string;
  /** Prefix of the fresh temp dir's name (default `nova-dbus-`). */
  readonly prefix?: string;
}

/** Daemons still running (PID → dir), SIGTERMed and their dirs removed if the process exits without stopping them. */
const live = new Map<number, string>();
let exitHookInstalled = false;

function killLiveOnExit(): void {
  for (const [pid, dir] of live) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // Already gone.
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function listenAddress(listen: PrivateBusOptions["listen"], dir: string): string {
  if (typeof listen === "function") return listen(dir);
  if (listen === "abstract") return `unix:abstract=nova-bus-${randomBytes(8).toString("hex")}`;
  return `unix:path=${escapeValue(join(dir, "bus.sock"))}`;
}

/** Why the daemon did not start: a missing binary names the Debian package (the wording of test/helpers/system-deps.ts). */
function spawnFailure(error: NodeJS.ErrnoException): IPCError {
  const message =
    error.code === "ENOENT"
      ? "missing dbus-daemon: install the Debian package dbus-daemon (apt install dbus-daemon)"
      : `cannot run dbus-daemon: ${error.message}`;
  return new IPCError("TransportNotSupported", message, { cause: error, context: { errno: error.code } });
}

/**
 * Starts a private dbus-daemon and resolves once it listens. Rejects with `TransportNotSupported`
 * when dbus-daemon is not installed (the message names the Debian package), `TimeoutExpired` when
 * it prints nothing within `timeoutMs`, `EndpointUnreachable` when it exits first (its stderr is in
 * the message: e.g. an abstract name already in use). The dir is removed on every failure.
 */
export async function startPrivateBus(options: PrivateBusOptions = {}): Promise<PrivateBus> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), options.prefix ?? "nova-dbus-"));
  const listen = listenAddress(options.listen, dir);
  const child = spawn("dbus-daemon", ["--session", "--nofork", `--address=${listen}`, "--print-address=1", "--print-pid=1"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let stopping: Promise<void> | undefined;
  const stop = (stopOptions: { readonly keepDir?: boolean } = {}): Promise<void> =>
    (stopping ??= (async () => {
      if (running() && child.pid !== undefined) {
        try {
          process.kill(child.pid, "SIGTERM");
        } catch {
          // Already gone.
        }
        const kill = setTimeout(() => running() && child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(kill);
      } else {
        await exited;
      }
      if (child.pid !== undefined) live.delete(child.pid);
      if (stopOptions.keepDir) rmSync(join(dir, "bus.sock"), { force: true });
      else rmSync(dir, { recursive: true, force: true });
    })());
  try {
    const [address, pid] = await new Promise<[string, number]>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(
        () => reject(new IPCError("TimeoutExpired", `dbus-daemon printed no address and PID within ${timeoutMs} ms; stderr: ${stderr.trim()}`, { context: { timeoutMs } })),
        timeoutMs,
      );
      child.once("error", (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(spawnFailure(error));
      });
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const m = /^(unix:[^\n]+)\n(\d+)\n/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve([m[1]!, Number(m[2])]);
        }
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new IPCError("EndpointUnreachable", `dbus-daemon exited (${signal ?? code}) before it listened on ${listen}; stderr: ${stderr.trim()}`, { context: { endpoint: listen } }));
      });
    });
    if (pid !== child.pid) throw new IPCError("ProtocolError", `dbus-daemon printed PID ${pid}, but we started ${child.pid}: was --nofork ignored?`);
    live.set(pid, dir);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on("exit", killLiveOnExit);
    }
    const env: NodeJS.ProcessEnv = { ...process.env, DBUS_SESSION_BUS_ADDRESS: address };
    delete env.DBUS_STARTER_ADDRESS;
    delete env.DBUS_STARTER_BUS_TYPE;
    return { address, pid, dir, env, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
